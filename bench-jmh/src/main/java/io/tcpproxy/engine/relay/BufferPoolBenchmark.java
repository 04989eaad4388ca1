package io.tcpproxy.engine.relay;

import io.tcpproxy.bench.jmh.AbstractBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;

/**
 * A worker's relay-buffer pool, used the way a worker uses it: one thread, acquire then release. The pool is grown
 * in the set-up so the measurement sees the steady state (an array pop and push), not the first direct allocation.
 */
@State(Scope.Thread)
public class BufferPoolBenchmark extends AbstractBenchmark
{
    private static final int BUFFER_BYTES = 16 * 1024;
    private static final long POOL_BYTES = 64L * 1024 * 1024;

    private BufferPool pool;

    /** Build a pool with the default buffer size and bound, and grow its first chunk. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pool = new BufferPool(BUFFER_BYTES, POOL_BYTES);
        final ByteBuffer first = pool.acquire();
        pool.release(first);
    }

    /** Give the pool's direct memory back. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        pool.free();
    }

    /**
     * One buffer out and back, as when a relay direction takes a buffer for a read and returns it once drained.
     *
     * @return the buffer, so the work is not eliminated.
     */
    @Benchmark
    public ByteBuffer acquireRelease()
    {
        final ByteBuffer buffer = pool.acquire();
        pool.release(buffer);
        return buffer;
    }

    /**
     * Both directions of one connection take a buffer, then both give it back.
     *
     * @return the second buffer, so the work is not eliminated.
     */
    @Benchmark
    public ByteBuffer acquireReleasePair()
    {
        final ByteBuffer upstream = pool.acquire();
        final ByteBuffer downstream = pool.acquire();
        pool.release(downstream);
        pool.release(upstream);
        return downstream;
    }
}
