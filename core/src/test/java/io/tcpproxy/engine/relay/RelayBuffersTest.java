package io.tcpproxy.engine.relay;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class RelayBuffersTest
{
    private static final int ORDINARY = 16 * 1024;
    private static final int LARGE = 256 * 1024;
    private static final long POOL = 4L * 1024 * 1024;

    @Test
    void shouldGiveBulkFlowsLargeBuffersAndFallBackToOrdinaryOnes()
    {
        final RelayBuffers buffers = new RelayBuffers(ORDINARY, POOL);
        assertEquals(POOL, buffers.limitBytes());
        final List<ByteBuffer> large = new ArrayList<>();
        for (int i = 0; i < POOL / 2 / LARGE; i++)
        {
            final ByteBuffer buffer = buffers.acquire(true);
            assertEquals(LARGE, buffer.capacity());
            large.add(buffer);
        }
        assertEquals(ORDINARY, buffers.acquire(true).capacity(), "no large buffer left: an ordinary one");
        assertEquals(ORDINARY, buffers.acquire(false).capacity());
        assertEquals(POOL / 2 + 2 * ORDINARY, buffers.inUseBytes());
        buffers.free();
    }

    @Test
    void shouldTrackUseAndHighWaterAndReturnNullWhenSpent()
    {
        final RelayBuffers buffers = new RelayBuffers(ORDINARY, POOL);
        final List<ByteBuffer> held = new ArrayList<>();
        for (ByteBuffer b = buffers.acquire(false); b != null; b = buffers.acquire(false))
        {
            held.add(b);
        }
        assertEquals(POOL / 2 / ORDINARY, held.size(), "ordinary buffers get half the budget");
        assertEquals(0, buffers.ordinaryAvailable());
        assertNull(buffers.acquire(false));
        final long peak = buffers.inUseBytes();
        for (final ByteBuffer b : held)
        {
            buffers.release(b);
        }
        assertEquals(0, buffers.inUseBytes());
        assertEquals(peak, buffers.highWaterBytes());
        assertEquals(held.size(), buffers.ordinaryAvailable());
        assertNotNull(buffers.acquire(false));
        buffers.free();
    }

    @Test
    void shouldUseOneSizeWhenTheBudgetIsTooSmallForLargeBuffers()
    {
        final RelayBuffers buffers = new RelayBuffers(ORDINARY, 256 * 1024);
        assertEquals(ORDINARY, buffers.acquire(true).capacity());
        assertEquals(256 * 1024 / ORDINARY - 1, buffers.ordinaryAvailable());
        buffers.free();
    }
}
