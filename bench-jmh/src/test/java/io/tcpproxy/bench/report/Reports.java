package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Matrix reports built from fixed measurements, for the report tests of this package and of the commands.
 */
public final class Reports
{
    private static final long SEC = TimeUnit.SECONDS.toNanos(1);
    /** 10 connections, 1 KiB. */
    public static final Scenario BASELINE = new Scenario("baseline", 10, 1024, 5 * SEC, SEC, 0);
    /** 10 connections, 64 KiB. */
    public static final Scenario BIG = new Scenario("big-data", 10, 65536, 5 * SEC, SEC, 0);

    private Reports()
    {
    }

    /**
     * @return one cell: p50 = p99 / 2, p90 = 0.8 p99, p99.9 = 1.5 p99, max = 2 p99, mean = 0.6 p99; the errors are
     * resets.
     */
    public static Measurement cell(
        final int run, final Scenario scenario, final String target, final double rps, final long p99Us, final long errors)
    {
        return new Measurement(run, scenario, target, (long)rps * 5, (long)rps * 5, rps,
            rps * scenario.messageBytes() / 1e6, p99Us * 500, p99Us * 800, p99Us * 1000, p99Us * 1500, p99Us * 2000,
            p99Us * 600.0, 0, errors, 0, 0, Double.NaN, Map.of());
    }

    /**
     * @return a cell like {@link #cell} with CPU: {@code cpuUs} per round trip, for the proxy 90 % workers, 10 % jit.
     */
    public static Measurement cellWithCpu(
        final int run, final Scenario scenario, final String target, final double rps, final long p99Us,
        final double cpuUs)
    {
        final Measurement plain = cell(run, scenario, target, rps, p99Us, 0);
        return new Measurement(plain.run(), scenario, target, plain.requests(), plain.responses(), rps,
            plain.throughputMbPerSec(), plain.p50Ns(), plain.p90Ns(), plain.p99Ns(), plain.p999Ns(), plain.maxNs(),
            plain.meanNs(), 0, 0, 0, 0, cpuUs,
            "proxy".equals(target) ? Map.of("workers", cpuUs * 0.9, "jit", cpuUs * 0.1) : Map.of());
    }

    /**
     * @return proxy and direct, baseline and big-data, 3 runs; one reset through the proxy on big-data.
     */
    public static BenchReport proxyAndDirect()
    {
        final BenchReport report = new BenchReport(
            List.of(new Target("proxy", "127.0.0.1", 3000), new Target("direct", "127.0.0.1", 8081)),
            List.of(BASELINE, BIG), 3, "closed loop", Instant.parse("2025-01-01T00:00:00Z"));
        for (int run = 1; run <= 3; run++)
        {
            report.add(cell(run, BASELINE, "proxy", 80_000 + run * 1_000, 300, 0));
            report.add(cell(run, BASELINE, "direct", 100_000, 200, 0));
            report.add(cell(run, BIG, "proxy", 200 + run, 84_000, run == 2 ? 1 : 0));
            report.add(cell(run, BIG, "direct", 400, 40_000, 0));
        }
        return report;
    }

    /**
     * On baseline HAProxy has the higher RPS and nginx the lower p99; on big-data nginx was not measured.
     *
     * @return proxy, direct, haproxy and nginx, baseline and big-data, one run.
     */
    public static BenchReport withRivals()
    {
        final BenchReport report = new BenchReport(
            List.of(new Target("proxy", "127.0.0.1", 3000), new Target("direct", "127.0.0.1", 8081),
                new Target("haproxy", "127.0.0.1", 3001), new Target("nginx", "127.0.0.1", 3002)),
            List.of(BASELINE, BIG), 1, "closed loop, quick", Instant.parse("2025-01-01T00:00:00Z"));
        report.add(cell(1, BASELINE, "proxy", 90_000, 300, 0));
        report.add(cell(1, BASELINE, "direct", 100_000, 200, 0));
        report.add(cell(1, BASELINE, "haproxy", 75_000, 400, 0));
        report.add(cell(1, BASELINE, "nginx", 60_000, 240, 0));
        report.add(cell(1, BIG, "proxy", 300, 80_000, 0));
        report.add(cell(1, BIG, "direct", 400, 40_000, 0));
        report.add(cell(1, BIG, "haproxy", 200, 100_000, 0));
        return report;
    }
}
