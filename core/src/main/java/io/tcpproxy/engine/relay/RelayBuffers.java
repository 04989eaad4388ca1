package io.tcpproxy.engine.relay;

import java.nio.ByteBuffer;

/**
 * A worker's relay buffers in two sizes: {@code buffer_size} slices for ordinary traffic, and larger slices for a
 * flow whose last read filled an ordinary buffer (a bulk stream), so bulk transfers need fewer read and write
 * system calls. Both come out of the {@code buffer_pool_mb} budget: when the large ones run out a bulk flow falls
 * back to an ordinary one, and when those run out reading pauses. Single-threaded, owned by one worker.
 */
public final class RelayBuffers
{
    static final int MAX_LARGE_BUFFER_BYTES = 256 * 1024;
    private static final int LARGE_TO_ORDINARY_RATIO = 16;

    private final BufferPool ordinary;
    private final BufferPool large;
    private long inUseBytes;
    private long highWaterBytes;

    public RelayBuffers(final int bufferBytes, final long poolBytes)
    {
        final int largeBytes = (int)Math.min(MAX_LARGE_BUFFER_BYTES, (long)bufferBytes * LARGE_TO_ORDINARY_RATIO);
        final long largeBudgetBytes = poolBytes / 2;
        if (largeBytes > bufferBytes && largeBudgetBytes >= 2L * largeBytes)
        {
            this.ordinary = new BufferPool(bufferBytes, poolBytes - largeBudgetBytes);
            this.large = new BufferPool(largeBytes, largeBudgetBytes);
        }
        else
        {
            this.ordinary = new BufferPool(bufferBytes, poolBytes);
            this.large = null;
        }
    }

    /**
     * @param bulk whether the flow's last read filled an ordinary buffer.
     * @return a cleared buffer, or null when the budget is used up.
     */
    public ByteBuffer acquire(final boolean bulk)
    {
        ByteBuffer buffer = bulk && large != null ? large.acquire() : null;
        if (buffer == null)
        {
            buffer = ordinary.acquire();
            if (buffer == null)
            {
                return null;
            }
        }
        inUseBytes += buffer.capacity();
        if (inUseBytes > highWaterBytes)
        {
            highWaterBytes = inUseBytes;
        }
        return buffer;
    }

    /**
     * @param buffer from {@link #acquire(boolean)}.
     */
    public void release(final ByteBuffer buffer)
    {
        if (!buffer.isDirect())
        {
            return; // a heap buffer a preamble allocated beyond the pool (see PreambleReader): never pooled
        }
        inUseBytes -= buffer.capacity();
        if (large != null && buffer.capacity() == large.bufferBytes())
        {
            large.release(buffer);
        }
        else
        {
            ordinary.release(buffer);
        }
    }

    /** @return bytes of an ordinary buffer; a read this long or longer marks the flow as bulk. */
    public int ordinaryBufferBytes()
    {
        return ordinary.bufferBytes();
    }

    /** @return ordinary buffers that can still be acquired: how many paused flows may resume. */
    public int ordinaryAvailable()
    {
        return ordinary.available();
    }

    /** @return bytes of buffers held now. */
    public long inUseBytes()
    {
        return inUseBytes;
    }

    /** @return the most bytes of buffers held at once. */
    public long highWaterBytes()
    {
        return highWaterBytes;
    }

    /** @return the bound, in bytes. */
    public long limitBytes()
    {
        return bytes(ordinary, ordinary.maxBuffers()) + (large == null ? 0 : bytes(large, large.maxBuffers()));
    }

    /** Free the direct memory now. */
    public void free()
    {
        ordinary.free();
        if (large != null)
        {
            large.free();
        }
    }

    private static long bytes(final BufferPool pool, final int buffers)
    {
        return (long)buffers * pool.bufferBytes();
    }
}
