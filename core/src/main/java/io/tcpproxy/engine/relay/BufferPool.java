package io.tcpproxy.engine.relay;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;

/**
 * A worker's relay buffers: fixed-size slices of a few large direct allocations, grown a chunk at a time up to a
 * bound. Single-threaded (owned by one worker). When every slice is in use {@link #acquire()} returns null and the
 * caller pauses reading; nothing is ever allocated per message.
 * <p>
 * Written by hand rather than taken from a library: acquire/release are an array push/pop on the relay's hot path,
 * and the pool must report its use exactly for back-pressure and the metrics.
 */
final class BufferPool
{
    private static final int CHUNK_BYTES = 1024 * 1024;

    private final int bufferBytes;
    private final int maxBuffers;
    private final int buffersPerChunk;
    private final ByteBuffer[] free;
    private final ByteBuffer[] chunks;
    private int freeCount;
    private int chunkCount;
    private int createdBuffers;

    BufferPool(final int bufferBytes, final long maxPoolBytes)
    {
        this.bufferBytes = bufferBytes;
        this.maxBuffers = (int)Math.max(1, Math.min(Integer.MAX_VALUE - 8, maxPoolBytes / bufferBytes));
        this.buffersPerChunk = Math.max(1, Math.min(maxBuffers, CHUNK_BYTES / bufferBytes));
        this.free = new ByteBuffer[maxBuffers];
        this.chunks = new ByteBuffer[(maxBuffers + buffersPerChunk - 1) / buffersPerChunk];
    }

    /**
     * @return a cleared buffer of {@link #bufferBytes()} bytes, or null when the pool is at its bound.
     */
    ByteBuffer acquire()
    {
        if (freeCount == 0 && !grow())
        {
            return null;
        }
        final ByteBuffer buffer = free[--freeCount];
        free[freeCount] = null;
        buffer.clear();
        return buffer;
    }

    /**
     * @param buffer taken from {@link #acquire()}, not used again by the caller.
     */
    void release(final ByteBuffer buffer)
    {
        free[freeCount++] = buffer;
    }

    private boolean grow()
    {
        if (createdBuffers >= maxBuffers)
        {
            return false;
        }
        final int count = Math.min(buffersPerChunk, maxBuffers - createdBuffers);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(count * bufferBytes);
        chunks[chunkCount++] = chunk;
        for (int i = 0; i < count; i++)
        {
            free[freeCount++] = chunk.slice(i * bufferBytes, bufferBytes);
        }
        createdBuffers += count;
        return true;
    }

    /** @return bytes of one buffer. */
    int bufferBytes()
    {
        return bufferBytes;
    }

    /** @return the bound on buffers. */
    int maxBuffers()
    {
        return maxBuffers;
    }

    /** @return buffers that can still be acquired before the bound. */
    int available()
    {
        return freeCount + (maxBuffers - createdBuffers);
    }

    /**
     * Free the direct memory now rather than at some later GC. No buffer may be used afterwards.
     */
    void free()
    {
        for (int i = 0; i < chunkCount; i++)
        {
            BufferUtil.free(chunks[i]);
            chunks[i] = null;
        }
        chunkCount = 0;
        freeCount = 0;
        createdBuffers = maxBuffers;
    }
}
