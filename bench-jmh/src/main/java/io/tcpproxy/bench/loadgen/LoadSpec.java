package io.tcpproxy.bench.loadgen;

import java.util.concurrent.TimeUnit;

/**
 * What one measurement does: how many connections, how big a message, for how long, and whether requests
 * are sent back to back (closed loop) or on a schedule (open loop, {@code ratePerSec > 0}).
 */
public final class LoadSpec
{
    /** Default time to wait for a reply (and to connect) before counting a timeout. */
    public static final long DEFAULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final int connections;
    private final int messageBytes;
    private final long warmupNs;
    private final long durationNs;
    private final double ratePerSec;
    private final int selectorThreads;
    private final long timeoutNs;

    /**
     * @param connections     concurrent connections, at least 1.
     * @param messageBytes    bytes per request (and per reply), at least 1.
     * @param warmupNs        time run before measuring; nothing is recorded during it.
     * @param durationNs      measured time, more than 0.
     * @param ratePerSec      total requests per second over all connections (open loop), or 0 for closed loop.
     * @param selectorThreads selector threads of the generator, at least 1.
     * @param timeoutNs       connect and reply timeout, more than 0.
     */
    public LoadSpec(
        final int connections,
        final int messageBytes,
        final long warmupNs,
        final long durationNs,
        final double ratePerSec,
        final int selectorThreads,
        final long timeoutNs)
    {
        if (connections < 1)
        {
            throw new IllegalArgumentException("connections must be at least 1, got " + connections);
        }
        if (messageBytes < 1)
        {
            throw new IllegalArgumentException("message size must be at least 1 byte, got " + messageBytes);
        }
        if (warmupNs < 0 || durationNs <= 0)
        {
            throw new IllegalArgumentException("warm-up must be >= 0 and duration > 0");
        }
        if (ratePerSec < 0 || Double.isNaN(ratePerSec) || Double.isInfinite(ratePerSec))
        {
            throw new IllegalArgumentException("rate must be >= 0 requests/s (0 = closed loop), got " + ratePerSec);
        }
        if (selectorThreads < 1)
        {
            throw new IllegalArgumentException("selector threads must be at least 1, got " + selectorThreads);
        }
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeout must be more than 0");
        }
        this.connections = connections;
        this.messageBytes = messageBytes;
        this.warmupNs = warmupNs;
        this.durationNs = durationNs;
        this.ratePerSec = ratePerSec;
        this.selectorThreads = selectorThreads;
        this.timeoutNs = timeoutNs;
    }

    /**
     * @return concurrent connections.
     */
    public int connections()
    {
        return connections;
    }

    /**
     * @return bytes per request and per reply.
     */
    public int messageBytes()
    {
        return messageBytes;
    }

    /**
     * @return warm-up time, not recorded.
     */
    public long warmupNs()
    {
        return warmupNs;
    }

    /**
     * @return measured time.
     */
    public long durationNs()
    {
        return durationNs;
    }

    /**
     * @return total requests per second for open loop, 0 for closed loop.
     */
    public double ratePerSec()
    {
        return ratePerSec;
    }

    /**
     * @return true when requests are sent on a schedule.
     */
    public boolean isOpenLoop()
    {
        return ratePerSec > 0;
    }

    /**
     * @return selector threads of the generator.
     */
    public int selectorThreads()
    {
        return selectorThreads;
    }

    /**
     * @return connect and reply timeout.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "LoadSpec{connections=" + connections + ", messageBytes=" + messageBytes +
            ", warmupNs=" + warmupNs + ", durationNs=" + durationNs + ", ratePerSec=" + ratePerSec +
            ", selectorThreads=" + selectorThreads + ", timeoutNs=" + timeoutNs + '}';
    }
}
