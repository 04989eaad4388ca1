package io.tcpproxy.engine.relay;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BufferPoolTest
{
    @Test
    void shouldHandOutDistinctDirectBuffersUpToItsBoundThenNull()
    {
        final BufferPool pool = new BufferPool(1024, 10 * 1024);
        assertEquals(10, pool.maxBuffers());
        final IdentityHashMap<ByteBuffer, Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < 10; i++)
        {
            final ByteBuffer buffer = pool.acquire();
            assertNotNull(buffer, "buffer " + i);
            assertTrue(buffer.isDirect());
            assertEquals(1024, buffer.capacity());
            assertEquals(1024, buffer.remaining());
            seen.put(buffer, Boolean.TRUE);
            assertEquals(9 - i, pool.available());
        }
        assertEquals(10, seen.size());
        assertNull(pool.acquire(), "beyond the bound");
        pool.free();
    }

    @Test
    void shouldReuseAReleasedBufferCleared()
    {
        final BufferPool pool = new BufferPool(512, 512);
        final ByteBuffer buffer = pool.acquire();
        buffer.put((byte)1).flip();
        assertNull(pool.acquire());
        pool.release(buffer);
        final ByteBuffer again = pool.acquire();
        assertSame(buffer, again);
        assertEquals(0, again.position());
        assertEquals(512, again.limit());
        pool.free();
    }

    @Test
    void shouldKeepSlicesFromOverlapping()
    {
        final BufferPool pool = new BufferPool(4096, 3 * 1024 * 1024);
        final List<ByteBuffer> buffers = new ArrayList<>();
        for (ByteBuffer b = pool.acquire(); b != null; b = pool.acquire())
        {
            buffers.add(b);
        }
        assertEquals(768, buffers.size());
        for (int i = 0; i < buffers.size(); i++)
        {
            buffers.get(i).putInt(0, i);
        }
        for (int i = 0; i < buffers.size(); i++)
        {
            assertEquals(i, buffers.get(i).getInt(0), "slice " + i + " overlaps another");
        }
        pool.free();
    }
}
