package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The layouts of the messages a worker publishes in its {@link MetricsRing}, declared once: each message type has
 * its id, its length, and an encoder (used by the worker after {@code tryClaim}, allocation-free) and decoders (used
 * by the collector) side by side, so a field added to a message is added in one class.
 */
final class RingCodec
{
    static final int OPENED = 1;
    static final int CONNECTED = 2;
    static final int CONNECT_FAILED = 3;
    static final int BYTES = 4;
    static final int CLOSED = 5;
    static final int REJECTED = 6;
    static final int ACCEPT_PAUSED = 7;
    static final int INTERNAL_ERRORS = 8;
    static final int ROUTED = 9;

    /** The largest message, so the ring can size its records. */
    static final int MAX_LENGTH = 40;

    private static final int MAX_ADDRESS_BYTES = 16;

    // Every per-connection message starts with the connection id.
    private static final int ID_OFFSET = 0;

    // OPENED: id, port, address length, address (up to 16 bytes).
    private static final int OPENED_PORT_OFFSET = 8;
    private static final int OPENED_ADDRESS_LENGTH_OFFSET = 12;
    private static final int OPENED_ADDRESS_OFFSET = 16;
    static final int OPENED_LENGTH = 32;

    // CONNECTED: id, connect time, upstream port, upstream address length (0 when not given), address.
    private static final int CONNECTED_NS_OFFSET = 8;
    private static final int CONNECTED_PORT_OFFSET = 16;
    private static final int CONNECTED_ADDRESS_LENGTH_OFFSET = 20;
    private static final int CONNECTED_ADDRESS_OFFSET = 24;
    static final int CONNECTED_LENGTH = 40;

    // CONNECT_FAILED: id, elapsed, reason.
    private static final int CONNECT_FAILED_NS_OFFSET = 8;
    private static final int CONNECT_FAILED_REASON_OFFSET = 16;
    static final int CONNECT_FAILED_LENGTH = 20;

    // BYTES: id, up delta, down delta.
    private static final int BYTES_UP_OFFSET = 8;
    private static final int BYTES_DOWN_OFFSET = 16;
    static final int BYTES_LENGTH = 24;

    // CLOSED: id, duration, up total, down total, reason, ended-by.
    private static final int CLOSED_NS_OFFSET = 8;
    private static final int CLOSED_UP_OFFSET = 16;
    private static final int CLOSED_DOWN_OFFSET = 24;
    private static final int CLOSED_REASON_OFFSET = 32;
    private static final int CLOSED_ENDED_BY_OFFSET = 36;
    static final int CLOSED_LENGTH = 40;

    // ACCEPT_PAUSED, INTERNAL_ERRORS: a count.
    private static final int COUNT_OFFSET = 0;
    static final int COUNT_LENGTH = 8;

    // REJECTED, ROUTED: a count, then its key (REJECTED: the RejectReason's ordinal; ROUTED: the pool index).
    private static final int KEY_OFFSET = 8;
    static final int KEYED_COUNT_LENGTH = 12;

    private RingCodec()
    {
    }

    static void encodeOpened(
        final MutableDirectBuffer buffer, final int index, final long id, final byte[] address, final int port)
    {
        buffer.putLong(index + ID_OFFSET, id);
        buffer.putInt(index + OPENED_PORT_OFFSET, port);
        putAddress(buffer, index + OPENED_ADDRESS_LENGTH_OFFSET, index + OPENED_ADDRESS_OFFSET, address);
    }

    static void encodeConnected(
        final MutableDirectBuffer buffer,
        final int index,
        final long id,
        final long connectNs,
        final byte[] upstreamAddress,
        final int upstreamPort)
    {
        buffer.putLong(index + ID_OFFSET, id);
        buffer.putLong(index + CONNECTED_NS_OFFSET, connectNs);
        buffer.putInt(index + CONNECTED_PORT_OFFSET, upstreamPort);
        if (null == upstreamAddress)
        {
            buffer.putInt(index + CONNECTED_ADDRESS_LENGTH_OFFSET, 0);
        }
        else
        {
            putAddress(buffer, index + CONNECTED_ADDRESS_LENGTH_OFFSET, index + CONNECTED_ADDRESS_OFFSET,
                upstreamAddress);
        }
    }

    static void encodeConnectFailed(
        final MutableDirectBuffer buffer, final int index, final long id, final CloseReason reason, final long ns)
    {
        buffer.putLong(index + ID_OFFSET, id);
        buffer.putLong(index + CONNECT_FAILED_NS_OFFSET, ns);
        buffer.putInt(index + CONNECT_FAILED_REASON_OFFSET, reason.ordinal());
    }

    static void encodeBytes(
        final MutableDirectBuffer buffer, final int index, final long id, final long up, final long down)
    {
        buffer.putLong(index + ID_OFFSET, id);
        buffer.putLong(index + BYTES_UP_OFFSET, up);
        buffer.putLong(index + BYTES_DOWN_OFFSET, down);
    }

    static void encodeClosed(
        final MutableDirectBuffer buffer,
        final int index,
        final long id,
        final CloseReason reason,
        final EndedBy endedBy,
        final long durationNs,
        final long up,
        final long down)
    {
        buffer.putLong(index + ID_OFFSET, id);
        buffer.putLong(index + CLOSED_NS_OFFSET, durationNs);
        buffer.putLong(index + CLOSED_UP_OFFSET, up);
        buffer.putLong(index + CLOSED_DOWN_OFFSET, down);
        buffer.putInt(index + CLOSED_REASON_OFFSET, reason.ordinal());
        buffer.putInt(index + CLOSED_ENDED_BY_OFFSET, endedBy.ordinal());
    }

    static void encodeCount(final MutableDirectBuffer buffer, final int index, final long count)
    {
        buffer.putLong(index + COUNT_OFFSET, count);
    }

    static void encodeKeyedCount(final MutableDirectBuffer buffer, final int index, final int key, final long count)
    {
        buffer.putLong(index + COUNT_OFFSET, count);
        buffer.putInt(index + KEY_OFFSET, key);
    }

    private static void putAddress(
        final MutableDirectBuffer buffer, final int lengthIndex, final int addressIndex, final byte[] address)
    {
        final int length = Math.min(MAX_ADDRESS_BYTES, address.length);
        buffer.putInt(lengthIndex, length);
        buffer.putBytes(addressIndex, address, 0, length);
    }

    // Decoders (collector side).

    static long connectionId(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + ID_OFFSET);
    }

    static int openedPort(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + OPENED_PORT_OFFSET);
    }

    static byte[] openedAddress(final DirectBuffer buffer, final int index)
    {
        return getAddress(buffer, index + OPENED_ADDRESS_LENGTH_OFFSET, index + OPENED_ADDRESS_OFFSET);
    }

    static long connectedNs(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + CONNECTED_NS_OFFSET);
    }

    static int connectedPort(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + CONNECTED_PORT_OFFSET);
    }

    /** @return the upstream's address, or null when the worker did not give it. */
    static byte[] connectedAddress(final DirectBuffer buffer, final int index)
    {
        final byte[] address =
            getAddress(buffer, index + CONNECTED_ADDRESS_LENGTH_OFFSET, index + CONNECTED_ADDRESS_OFFSET);
        return address.length == 0 ? null : address;
    }

    static long connectFailedNs(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + CONNECT_FAILED_NS_OFFSET);
    }

    static CloseReason connectFailedReason(final DirectBuffer buffer, final int index)
    {
        return CloseReason.fromOrdinal(buffer.getInt(index + CONNECT_FAILED_REASON_OFFSET));
    }

    static long bytesUp(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + BYTES_UP_OFFSET);
    }

    static long bytesDown(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + BYTES_DOWN_OFFSET);
    }

    static long closedDurationNs(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + CLOSED_NS_OFFSET);
    }

    static long closedUp(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + CLOSED_UP_OFFSET);
    }

    static long closedDown(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + CLOSED_DOWN_OFFSET);
    }

    static CloseReason closedReason(final DirectBuffer buffer, final int index)
    {
        return CloseReason.fromOrdinal(buffer.getInt(index + CLOSED_REASON_OFFSET));
    }

    static EndedBy closedEndedBy(final DirectBuffer buffer, final int index)
    {
        return EndedBy.fromOrdinal(buffer.getInt(index + CLOSED_ENDED_BY_OFFSET));
    }

    static int routedPool(final DirectBuffer buffer, final int index)
    {
        return buffer.getInt(index + KEY_OFFSET);
    }

    static long count(final DirectBuffer buffer, final int index)
    {
        return buffer.getLong(index + COUNT_OFFSET);
    }

    static RejectReason rejectedReason(final DirectBuffer buffer, final int index)
    {
        return RejectReason.fromOrdinal(buffer.getInt(index + KEY_OFFSET));
    }

    private static byte[] getAddress(final DirectBuffer buffer, final int lengthIndex, final int addressIndex)
    {
        final byte[] address = new byte[Math.min(MAX_ADDRESS_BYTES, buffer.getInt(lengthIndex))];
        buffer.getBytes(addressIndex, address);
        return address;
    }
}
