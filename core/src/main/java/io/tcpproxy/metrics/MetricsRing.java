package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker's metrics ring: the worker publishes lifecycle events and byte deltas (tryClaim, encode, commit;
 * never blocks, never allocates), the collector reads them. Internal to the proxy; public only so the engine
 * package can use it.
 */
public final class MetricsRing
{
    static final int OPENED = 1;
    static final int CONNECTED = 2;
    static final int CONNECT_FAILED = 3;
    static final int BYTES = 4;
    static final int CLOSED = 5;
    static final int REJECTED = 6;
    static final int ACCEPT_PAUSED = 7;

    static final int ID_OFFSET = 0;
    static final int OPENED_PORT_OFFSET = 8;
    static final int OPENED_ADDRESS_LENGTH_OFFSET = 12;
    static final int OPENED_ADDRESS_OFFSET = 16;
    static final int OPENED_LENGTH = 32;
    static final int NS_OFFSET = 8;
    static final int CONNECTED_LENGTH = 16;
    static final int CONNECT_FAILED_REASON_OFFSET = 16;
    static final int CONNECT_FAILED_LENGTH = 20;
    static final int BYTES_UP_OFFSET = 8;
    static final int BYTES_DOWN_OFFSET = 16;
    static final int BYTES_LENGTH = 24;
    static final int CLOSED_UP_OFFSET = 16;
    static final int CLOSED_DOWN_OFFSET = 24;
    static final int CLOSED_REASON_OFFSET = 32;
    static final int CLOSED_LENGTH = 36;
    static final int COUNT_LENGTH = 8;

    /** Bytes one record takes in the ring at most: the largest message plus the record header, aligned. */
    private static final int RECORD_BYTES = 64;

    private final int workerIndex;
    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final AtomicLong ringFullCount = new AtomicLong();
    private final AtomicLong bufferBytesInUse = new AtomicLong();
    private final AtomicLong bufferBytesHighWater = new AtomicLong();
    private final AtomicLong bufferBytesLimit = new AtomicLong();

    /**
     * @param workerIndex       the worker publishing.
     * @param channelBufferSize events the ring holds.
     */
    public MetricsRing(final int workerIndex, final int channelBufferSize)
    {
        this.workerIndex = workerIndex;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(channelBufferSize, 16) * RECORD_BYTES);
        this.ring = new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.buffer = ring.buffer();
    }

    /** Free the ring's direct memory now; nothing may publish or read afterwards. */
    public void free()
    {
        BufferUtil.free(buffer.byteBuffer());
    }

    /** @return the worker index. */
    public int workerIndex()
    {
        return workerIndex;
    }

    RingBuffer ring()
    {
        return ring;
    }

    /**
     * A client connection was accepted.
     *
     * @param connectionId unique id.
     * @param address      the client's IP (4 or 16 bytes).
     * @param port         the client's port.
     * @return false when the ring is full (try again later).
     */
    public boolean opened(final long connectionId, final byte[] address, final int port)
    {
        final int index = ring.tryClaim(OPENED, OPENED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + ID_OFFSET, connectionId);
        buffer.putInt(index + OPENED_PORT_OFFSET, port);
        buffer.putInt(index + OPENED_ADDRESS_LENGTH_OFFSET, address.length);
        buffer.putBytes(index + OPENED_ADDRESS_OFFSET, address, 0, Math.min(16, address.length));
        ring.commit(index);
        return true;
    }

    /**
     * The upstream connection was established.
     *
     * @param connectionId unique id.
     * @param connectNs    time the connect took.
     * @return false when the ring is full.
     */
    public boolean connected(final long connectionId, final long connectNs)
    {
        final int index = ring.tryClaim(CONNECTED, CONNECTED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + ID_OFFSET, connectionId);
        buffer.putLong(index + NS_OFFSET, connectNs);
        ring.commit(index);
        return true;
    }

    /**
     * The upstream connect failed.
     *
     * @param connectionId unique id.
     * @param reason       why.
     * @param elapsedNs    time until the failure.
     * @return false when the ring is full.
     */
    public boolean connectFailed(final long connectionId, final CloseReason reason, final long elapsedNs)
    {
        final int index = ring.tryClaim(CONNECT_FAILED, CONNECT_FAILED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + ID_OFFSET, connectionId);
        buffer.putLong(index + NS_OFFSET, elapsedNs);
        buffer.putInt(index + CONNECT_FAILED_REASON_OFFSET, reason.ordinal());
        ring.commit(index);
        return true;
    }

    /**
     * Bytes relayed since the last publish for this connection.
     *
     * @param connectionId    unique id.
     * @param upstreamBytes   client to upstream.
     * @param downstreamBytes upstream to client.
     * @return false when the ring is full.
     */
    public boolean bytes(final long connectionId, final long upstreamBytes, final long downstreamBytes)
    {
        final int index = ring.tryClaim(BYTES, BYTES_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + ID_OFFSET, connectionId);
        buffer.putLong(index + BYTES_UP_OFFSET, upstreamBytes);
        buffer.putLong(index + BYTES_DOWN_OFFSET, downstreamBytes);
        ring.commit(index);
        return true;
    }

    /**
     * The connection closed. Its byte deltas must have been published before.
     *
     * @param connectionId    unique id.
     * @param reason          why.
     * @param durationNs      lifetime.
     * @param upstreamBytes   total client to upstream.
     * @param downstreamBytes total upstream to client.
     * @return false when the ring is full.
     */
    public boolean closed(
        final long connectionId,
        final CloseReason reason,
        final long durationNs,
        final long upstreamBytes,
        final long downstreamBytes)
    {
        final int index = ring.tryClaim(CLOSED, CLOSED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index + ID_OFFSET, connectionId);
        buffer.putLong(index + NS_OFFSET, durationNs);
        buffer.putLong(index + CLOSED_UP_OFFSET, upstreamBytes);
        buffer.putLong(index + CLOSED_DOWN_OFFSET, downstreamBytes);
        buffer.putInt(index + CLOSED_REASON_OFFSET, reason.ordinal());
        ring.commit(index);
        return true;
    }

    /**
     * Clients closed at accept because max_connections were open, or accept pauses (EMFILE).
     *
     * @param type  {@link #REJECTED} or {@link #ACCEPT_PAUSED}.
     * @param count how many since the last publish.
     * @return false when the ring is full.
     */
    private boolean count(final int type, final long count)
    {
        final int index = ring.tryClaim(type, COUNT_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        buffer.putLong(index, count);
        ring.commit(index);
        return true;
    }

    /**
     * @param count clients rejected since the last publish.
     * @return false when the ring is full.
     */
    public boolean rejected(final long count)
    {
        return count(REJECTED, count);
    }

    /**
     * @param count accept pauses since the last publish.
     * @return false when the ring is full.
     */
    public boolean acceptPaused(final long count)
    {
        return count(ACCEPT_PAUSED, count);
    }

    /** Count one occasion on which the ring was full (the events wait and go out later). */
    public void onRingFull()
    {
        ringFullCount.lazySet(ringFullCount.get() + 1);
    }

    long ringFullCount()
    {
        return ringFullCount.get();
    }

    /**
     * Publish the worker's buffer pool use (read by the collector for the gauges).
     *
     * @param inUseBytes     bytes of relay buffers held now.
     * @param highWaterBytes most bytes ever held at once.
     * @param limitBytes     the pool's bound.
     */
    public void bufferUse(final long inUseBytes, final long highWaterBytes, final long limitBytes)
    {
        bufferBytesInUse.lazySet(inUseBytes);
        bufferBytesHighWater.lazySet(highWaterBytes);
        bufferBytesLimit.lazySet(limitBytes);
    }

    long bufferBytesInUse()
    {
        return bufferBytesInUse.get();
    }

    long bufferBytesHighWater()
    {
        return bufferBytesHighWater.get();
    }

    long bufferBytesLimit()
    {
        return bufferBytesLimit.get();
    }
}
