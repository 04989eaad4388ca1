package io.tcpproxy.bench.report;

import io.tcpproxy.bench.loadgen.LoadResult;
import io.tcpproxy.bench.scenario.Scenario;

/**
 * The figures of one scenario against one target in one run (or the medians over runs).
 *
 * @param run                1-based run number, 0 for a median over runs.
 * @param scenario           what was run.
 * @param target             target name.
 * @param requests           requests started in the measured window.
 * @param responses          correct echoes of those (latency samples).
 * @param requestsPerSec     echoes completed per second of the measured window.
 * @param throughputMbPerSec echoed payload, one direction, in 10^6 bytes per second.
 * @param p50Ns              median latency.
 * @param p90Ns              90th percentile latency.
 * @param p99Ns              99th percentile latency.
 * @param p999Ns             99.9th percentile latency.
 * @param maxNs              largest latency.
 * @param meanNs             mean latency.
 * @param connectErrors      connections not established.
 * @param resets             connections reset or closed by the peer.
 * @param mismatches         connections closed because an echo differed from what was sent.
 * @param timeouts           requests with no reply in time.
 */
public record Measurement(
    int run,
    Scenario scenario,
    String target,
    long requests,
    long responses,
    double requestsPerSec,
    double throughputMbPerSec,
    long p50Ns,
    long p90Ns,
    long p99Ns,
    long p999Ns,
    long maxNs,
    double meanNs,
    long connectErrors,
    long resets,
    long mismatches,
    long timeouts)
{
    /**
     * @param run      1-based run number.
     * @param scenario what was run.
     * @param target   target name.
     * @param result   the load generator's result.
     * @return the figures of the result.
     */
    public static Measurement of(final int run, final Scenario scenario, final String target, final LoadResult result)
    {
        return new Measurement(
            run,
            scenario,
            target,
            result.requests(),
            result.responses(),
            result.requestsPerSec(),
            result.throughputMbPerSec(),
            result.latencyAtPercentileNs(50),
            result.latencyAtPercentileNs(90),
            result.latencyAtPercentileNs(99),
            result.latencyAtPercentileNs(99.9),
            result.maxLatencyNs(),
            result.meanLatencyNs(),
            result.connectErrors(),
            result.resets(),
            result.mismatches(),
            result.timeouts());
    }

    /**
     * @return all errors.
     */
    public long errors()
    {
        return connectErrors + resets + mismatches + timeouts;
    }
}
