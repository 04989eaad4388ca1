package io.tcpproxy.bench.report;

import io.tcpproxy.bench.cpu.CpuSample;
import io.tcpproxy.bench.loadgen.LoadResult;
import io.tcpproxy.bench.scenario.Scenario;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * @param cpuUsPerRoundTrip  CPU time of the target's process (or process tree) over the measured window per echo
 *                           completed in it, in microseconds; NaN when not measured.
 * @param cpuGroupsUsPerRoundTrip the same by thread group (tcp-proxy only), empty when not measured.
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
    long timeouts,
    double cpuUsPerRoundTrip,
    Map<String, Double> cpuGroupsUsPerRoundTrip)
{
    /**
     * Copies the map.
     */
    public Measurement
    {
        cpuGroupsUsPerRoundTrip = Collections.unmodifiableMap(new LinkedHashMap<>(cpuGroupsUsPerRoundTrip));
    }

    /**
     * @param run      1-based run number.
     * @param scenario what was run.
     * @param target   target name.
     * @param result   the load generator's result.
     * @return the figures of the result, without CPU.
     */
    public static Measurement of(final int run, final Scenario scenario, final String target, final LoadResult result)
    {
        return of(run, scenario, target, result, null);
    }

    /**
     * @param run      1-based run number.
     * @param scenario what was run.
     * @param target   target name.
     * @param result   the load generator's result.
     * @param cpu      CPU the target used over the measured window, or null when unknown.
     * @return the figures of the result.
     */
    public static Measurement of(
        final int run, final Scenario scenario, final String target, final LoadResult result, final CpuSample cpu)
    {
        final long roundTrips = result.completedInWindow();
        final Map<String, Double> groups = new LinkedHashMap<>();
        if (cpu != null && roundTrips > 0)
        {
            cpu.groupNs().forEach((group, ns) -> groups.put(group, ns / 1000.0 / roundTrips));
        }
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
            result.timeouts(),
            cpu == null || roundTrips == 0 ? Double.NaN : cpu.totalNs() / 1000.0 / roundTrips,
            groups);
    }

    /**
     * @return all errors.
     */
    public long errors()
    {
        return connectErrors + resets + mismatches + timeouts;
    }
}
