package io.tcpproxy.bench.scenario;

import io.tcpproxy.bench.loadgen.LoadSpec;

import java.util.concurrent.TimeUnit;

/**
 * One row of the benchmark matrix: a named connection count and message size, run for a while.
 *
 * @param name         label used in tables and charts.
 * @param connections  concurrent connections.
 * @param messageBytes bytes per request and per reply.
 * @param durationNs   measured time.
 * @param warmupNs     unrecorded time before it.
 * @param ratePerSec   total requests per second for open loop, 0 for closed loop.
 */
public record Scenario(
    String name, int connections, int messageBytes, long durationNs, long warmupNs, double ratePerSec)
{
    /** Measured time of {@code --quick}. */
    public static final long QUICK_DURATION_NS = TimeUnit.SECONDS.toNanos(1);
    /** Warm-up of {@code --quick}. */
    public static final long QUICK_WARMUP_NS = TimeUnit.MILLISECONDS.toNanos(250);

    /**
     * @return this scenario shortened for a smoke run.
     */
    public Scenario quick()
    {
        return new Scenario(
            name, connections, messageBytes, QUICK_DURATION_NS, Math.min(warmupNs, QUICK_WARMUP_NS), ratePerSec);
    }

    /**
     * @param ratePerSec total requests per second, 0 for closed loop.
     * @return this scenario with another rate.
     */
    public Scenario withRate(final double ratePerSec)
    {
        return new Scenario(name, connections, messageBytes, durationNs, warmupNs, ratePerSec);
    }

    /**
     * @param selectorThreads selector threads of the generator.
     * @param timeoutNs       connect and reply timeout.
     * @return the load generator's settings for this scenario.
     */
    public LoadSpec toLoadSpec(final int selectorThreads, final long timeoutNs)
    {
        return new LoadSpec(connections, messageBytes, warmupNs, durationNs, ratePerSec, selectorThreads, timeoutNs);
    }
}
