package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message decodes to what was encoded, at an offset, within its declared length.
 */
class RingCodecTest
{
    private static final int AT = 24;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    @Test
    void shouldRoundTripEveryMessage()
    {
        final byte[] v6 = new byte[16];
        v6[15] = 1;
        RingCodec.encodeOpened(buffer, AT, 42, v6, 65_535);
        assertEquals(42, RingCodec.connectionId(buffer, AT));
        assertEquals(65_535, RingCodec.openedPort(buffer, AT));
        assertArrayEquals(v6, RingCodec.openedAddress(buffer, AT));

        RingCodec.encodeConnected(buffer, AT, 43, 1_234, new byte[]{127, 0, 0, 1}, 8080);
        assertEquals(43, RingCodec.connectionId(buffer, AT));
        assertEquals(1_234, RingCodec.connectedNs(buffer, AT));
        assertEquals(8080, RingCodec.connectedPort(buffer, AT));
        assertArrayEquals(new byte[]{127, 0, 0, 1}, RingCodec.connectedAddress(buffer, AT));
        RingCodec.encodeConnected(buffer, AT, 43, 1_234, null, 0);
        assertNull(RingCodec.connectedAddress(buffer, AT));

        RingCodec.encodeConnectFailed(buffer, AT, 44, CloseReason.CONNECT_UNRESOLVED, 99);
        assertEquals(44, RingCodec.connectionId(buffer, AT));
        assertEquals(CloseReason.CONNECT_UNRESOLVED, RingCodec.connectFailedReason(buffer, AT));
        assertEquals(99, RingCodec.connectFailedNs(buffer, AT));

        RingCodec.encodeBytes(buffer, AT, 45, Long.MAX_VALUE, 7);
        assertEquals(Long.MAX_VALUE, RingCodec.bytesUp(buffer, AT));
        assertEquals(7, RingCodec.bytesDown(buffer, AT));

        RingCodec.encodeClosed(buffer, AT, 46, CloseReason.IDLE_TIMEOUT, EndedBy.PROXY, 5, 6, 8);
        assertEquals(46, RingCodec.connectionId(buffer, AT));
        assertEquals(CloseReason.IDLE_TIMEOUT, RingCodec.closedReason(buffer, AT));
        assertEquals(EndedBy.PROXY, RingCodec.closedEndedBy(buffer, AT));
        assertEquals(5, RingCodec.closedDurationNs(buffer, AT));
        assertEquals(6, RingCodec.closedUp(buffer, AT));
        assertEquals(8, RingCodec.closedDown(buffer, AT));

        RingCodec.encodeCount(buffer, AT, 1_000_000);
        assertEquals(1_000_000, RingCodec.count(buffer, AT));
    }

    @Test
    void shouldWriteNothingPastADeclaredLength()
    {
        final int[] lengths = {RingCodec.OPENED_LENGTH, RingCodec.CONNECTED_LENGTH, RingCodec.CONNECT_FAILED_LENGTH,
            RingCodec.BYTES_LENGTH, RingCodec.CLOSED_LENGTH, RingCodec.COUNT_LENGTH};
        for (int type = 0; type < lengths.length; type++)
        {
            buffer.setMemory(0, buffer.capacity(), (byte)0x5A);
            final byte[] sixteen = new byte[16];
            java.util.Arrays.fill(sixteen, (byte)-1);
            switch (type)
            {
                case 0 -> RingCodec.encodeOpened(buffer, AT, -1, sixteen, -1);
                case 1 -> RingCodec.encodeConnected(buffer, AT, -1, -1, sixteen, -1);
                case 2 -> RingCodec.encodeConnectFailed(buffer, AT, -1, CloseReason.CONNECT_ERROR, -1);
                case 3 -> RingCodec.encodeBytes(buffer, AT, -1, -1, -1);
                case 4 -> RingCodec.encodeClosed(buffer, AT, -1, CloseReason.SHUTDOWN, EndedBy.PROXY, -1, -1, -1);
                default -> RingCodec.encodeCount(buffer, AT, -1);
            }
            assertTrue(lengths[type] <= RingCodec.MAX_LENGTH);
            for (int i = 0; i < AT; i++)
            {
                assertEquals((byte)0x5A, buffer.getByte(i), "type " + type + " wrote before its offset");
            }
            for (int i = AT + lengths[type]; i < buffer.capacity(); i++)
            {
                assertEquals((byte)0x5A, buffer.getByte(i), "type " + type + " wrote past its length at " + i);
            }
        }
    }
}
