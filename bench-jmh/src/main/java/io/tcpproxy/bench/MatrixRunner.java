package io.tcpproxy.bench;

import io.tcpproxy.bench.cpu.CpuSample;
import io.tcpproxy.bench.cpu.CpuSource;
import io.tcpproxy.bench.loadgen.LoadGenerator;
import io.tcpproxy.bench.loadgen.LoadResult;
import io.tcpproxy.bench.loadgen.ProgressListener;
import io.tcpproxy.bench.loadgen.TargetUnreachableException;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.Measurement;
import io.tcpproxy.bench.report.Target;
import io.tcpproxy.bench.report.Units;
import io.tcpproxy.bench.scenario.Scenario;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Runs every scenario against every target, interleaved (for each scenario, each target in turn, the order rotating
 * from scenario to scenario and run to run) so that drift of the machine hits all targets alike, and repeats the
 * whole matrix {@code runs} times.
 */
final class MatrixRunner
{
    private static final int PROBE_TIMEOUT_MS = 5_000;

    private final LoadGenerator generator = new LoadGenerator();
    private final ProgressLine progress;
    private final int selectorThreads;
    private final long timeoutNs;
    private final Map<String, CpuSource> cpu;

    MatrixRunner(final ProgressLine progress, final int selectorThreads, final long timeoutNs)
    {
        this(progress, selectorThreads, timeoutNs, Map.of());
    }

    /**
     * @param cpu CPU sources of the targets whose processes are known, by target name.
     */
    MatrixRunner(
        final ProgressLine progress, final int selectorThreads, final long timeoutNs, final Map<String, CpuSource> cpu)
    {
        this.cpu = cpu;
        this.progress = progress;
        this.selectorThreads = selectorThreads;
        this.timeoutNs = timeoutNs;
    }

    /**
     * @return every measurement; when a target stops accepting connections or the thread is interrupted (a signal),
     * the measurements so far, marked {@link BenchReport#incomplete()}.
     * @throws TargetUnreachableException when a target cannot be reached before the first measurement.
     */
    BenchReport run(final List<Scenario> scenarios, final List<Target> targets, final int runs, final String mode)
        throws TargetUnreachableException
    {
        for (final Target target : targets)
        {
            LoadGenerator.probe(target.socketAddress(), PROBE_TIMEOUT_MS);
        }
        final BenchReport report = new BenchReport(targets, scenarios, runs, mode, Instant.now());
        final int cells = runs * scenarios.size() * targets.size();
        int cell = 0;
        for (int run = 1; run <= runs; run++)
        {
            for (int s = 0; s < scenarios.size(); s++)
            {
                final Scenario scenario = scenarios.get(s);
                for (int t = 0; t < targets.size(); t++)
                {
                    // The first target of a scenario runs right after the switch from the last one; rotate who that
                    // is from run to run and scenario to scenario, so no target always pays for it.
                    final Target target = targets.get((t + run - 1 + s) % targets.size());
                    cell++;
                    progress.startCell("[" + cell + "/" + cells + "] " + (runs > 1 ? "run " + run + " " : "") +
                        scenario.name() + " @ " + target.name());
                    final LoadResult result;
                    final CpuWindow window = new CpuWindow(progress, cpu.get(target.name()));
                    try
                    {
                        result = generator.run(
                            target.socketAddress(), scenario.toLoadSpec(selectorThreads, timeoutNs), window);
                    }
                    catch (final InterruptedException ex)
                    {
                        // clear the flag: the reports of what was measured are written next, through channels
                        // that an interrupt would close
                        Thread.interrupted();
                        progress.endCell("interrupted");
                        report.markIncomplete("interrupted");
                        return report;
                    }
                    if (result.connectionsOpened() == 0 && result.connectErrors() > 0)
                    {
                        final String failure = new TargetUnreachableException(
                            result.connectFailure() != null ? result.connectFailure() : "no connection",
                            target.socketAddress()).getMessage() + " (target " + target.name() + ")";
                        progress.endCell(failure);
                        report.markIncomplete(failure);
                        return report;
                    }
                    final Measurement measurement = Measurement.of(run, scenario, target.name(), result, window.used());
                    report.add(measurement);
                    progress.endCell(Units.rps(measurement.requestsPerSec()) + " RPS, p50 " +
                        Units.latency(measurement.p50Ns()) + ", p99 " + Units.latency(measurement.p99Ns()) + ", " +
                        measurement.errors() + " errors" + (Double.isNaN(measurement.cpuUsPerRoundTrip()) ? "" :
                        ", CPU " + Units.cpuPerRoundTrip(measurement.cpuUsPerRoundTrip())));
                }
            }
        }
        return report;
    }

    /**
     * Passes progress on and samples a target's CPU at the edges of the measured window.
     */
    private static final class CpuWindow implements ProgressListener
    {
        private final ProgressListener progress;
        private final CpuSource source;
        private CpuSample atStart;
        private CpuSample used;

        CpuWindow(final ProgressListener progress, final CpuSource source)
        {
            this.progress = progress;
            this.source = source;
        }

        @Override
        public void onProgress(final Phase phase, final double secondsLeft)
        {
            progress.onProgress(phase, secondsLeft);
        }

        @Override
        public void onWindowStart()
        {
            atStart = source == null ? null : source.sample();
        }

        @Override
        public void onWindowEnd()
        {
            final CpuSample atEnd = atStart == null ? null : source.sample();
            used = atEnd == null ? null : atEnd.minus(atStart);
        }

        CpuSample used()
        {
            return used;
        }
    }
}
