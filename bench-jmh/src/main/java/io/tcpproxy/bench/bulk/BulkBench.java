package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.cpu.CpuSample;
import io.tcpproxy.bench.cpu.CpuSource;
import io.tcpproxy.bench.cpu.CpuSources;
import io.tcpproxy.bench.process.ChildProcess;
import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.ExternalProxies;
import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.bench.report.Target;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bulk measurement that {@code bulk} and {@code bench --bulk} share: start the bulk server and the proxy in front
 * of it as child processes, optionally HAProxy and nginx in front of it too, then measure one-way bulk throughput
 * through each of them and directly, interleaved (for each run, for each case, for each target; the first target
 * rotates from run to run), and stop them all.
 */
public final class BulkBench
{
    private static final String MAIN_CLASS = "io.tcpproxy.bench.BenchMain";

    private BulkBench()
    {
    }

    /**
     * @param options     what to measure; HAProxy and nginx must be installed when wanted.
     * @param launcher    starts the proxy.
     * @param logDir      where the child processes' logs and configs go; created if missing.
     * @param commandLine the command line, for the report.
     * @param out         where progress goes.
     * @param terminal    true to rewrite the progress line in place.
     * @return every transfer; failed transfers are in it as errors.
     * @throws IOException          when a process cannot start.
     * @throws InterruptedException when interrupted.
     */
    public static BulkReport run(
        final BulkOptions options,
        final ProxyLauncher launcher,
        final Path logDir,
        final String commandLine,
        final PrintStream out,
        final boolean terminal) throws IOException, InterruptedException
    {
        Files.createDirectories(logDir);
        final int workers = options.workers > 0 ? options.workers : Runtime.getRuntime().availableProcessors();
        final List<String> flags = launcher.jvmFlags();
        final List<BulkCase> cases = options.cases();

        try (Children children = new Children())
        {
            out.println("starting the bulk server and the proxy from " + launcher.proxyJar() +
                (flags.isEmpty() ? "" : " with " + String.join(" ", flags)));
            final int serverPort = startBulkServer(children, logDir, flags, options.serverThreads);
            final ProxyLauncher.StartedProxy proxy = launcher.startProxy(
                children, logDir, "127.0.0.1:0", serverPort, "127.0.0.1:0", workers, "off");

            final List<Target> targets = new ArrayList<>();
            targets.add(new Target("direct", "127.0.0.1", serverPort));
            targets.add(new Target(BulkReport.SUBJECT, "127.0.0.1", proxy.port()));
            targets.addAll(ExternalProxies.startRequested(
                logDir, children, serverPort, workers, options.withHaproxy, options.withNginx));
            final String settings = String.format(Locale.ROOT,
                "Proxy workers (HAProxy nbthread, nginx worker_processes): %d; bulk server threads: %d; " +
                "warm-up: %s per target and direction; %s per connection; targets rotate their order each run.",
                workers, options.serverThreads, BulkOptions.formatSize(options.warmupBytes),
                BulkOptions.formatSize(options.bytesPerConnection));
            out.println("targets: " + describe(targets) + "; proxy metrics on " + proxy.metricsUrl());
            out.println(cases.size() + " cases x " + targets.size() + " targets x " + options.runs + " run(s); " +
                settings);

            final BulkReport report = new BulkReport(Instant.now(), commandLine, settings, targets, cases, options.runs);
            final Progress progress = new Progress(out, terminal);
            try
            {
                warmUp(options, targets, progress);
                measure(options, cases, targets, report, progress, CpuSources.of(children));
            }
            catch (final InterruptedException ex)
            {
                // clear the flag: the reports of what was measured are written next
                Thread.interrupted();
                progress.end("interrupted");
                report.markInterrupted();
                return report;
            }
            if (!proxy.process().isAlive())
            {
                out.println("warning: the proxy exited during the run; its last output:\n" + proxy.process().tail());
            }
            return report;
        }
    }

    private static void warmUp(final BulkOptions options, final List<Target> targets, final Progress progress)
        throws InterruptedException
    {
        if (options.warmupBytes <= 0)
        {
            return;
        }
        for (final Target target : targets)
        {
            for (final Direction direction : options.directions)
            {
                final BulkCase warmup = new BulkCase(direction, 1, options.warmupBytes);
                progress.start("[warm-up] " + warmup.label() + " @ " + target.name());
                try
                {
                    final BulkResult result = BulkClient.run(
                        target.socketAddress(), direction, 1, options.warmupBytes, options.timeoutNs);
                    progress.end(summary(result));
                }
                catch (final IOException ex)
                {
                    progress.end("error: " + ex.getMessage());
                }
            }
        }
    }

    private static void measure(
        final BulkOptions options,
        final List<BulkCase> cases,
        final List<Target> targets,
        final BulkReport report,
        final Progress progress,
        final Map<String, CpuSource> cpu) throws InterruptedException
    {
        final int cells = options.runs * cases.size() * targets.size();
        int cell = 0;
        for (int run = 1; run <= options.runs; run++)
        {
            for (final BulkCase bulkCase : cases)
            {
                for (int t = 0; t < targets.size(); t++)
                {
                    final Target target = targets.get((t + run - 1) % targets.size());
                    cell++;
                    progress.start(String.format(Locale.ROOT, "[%d/%d] run %d, %s @ %s",
                        cell, cells, run, bulkCase.label(), target.name()));
                    try
                    {
                        final CpuSource source = cpu.get(target.name());
                        final CpuSample before = source == null ? null : source.sample();
                        final BulkResult result = BulkClient.run(target.socketAddress(), bulkCase.direction(),
                            bulkCase.connections(), bulkCase.bytesPerConnection(), options.timeoutNs);
                        final CpuSample after = before == null ? null : source.sample();
                        final double cpuMsPerGib = after == null ? Double.NaN :
                            after.minus(before).totalNs() / 1e6 / (result.totalBytes() / (double)BulkOptions.GIB);
                        report.add(new BulkMeasurement(run, bulkCase, target.name(), result, null, cpuMsPerGib));
                        progress.end(summary(result) + (Double.isNaN(cpuMsPerGib) ? "" :
                            String.format(Locale.ROOT, ", CPU %.0f ms/GiB", cpuMsPerGib)));
                    }
                    catch (final IOException ex)
                    {
                        report.add(new BulkMeasurement(run, bulkCase, target.name(), null, ex.getMessage()));
                        progress.end("error: " + ex.getMessage());
                    }
                }
            }
        }
    }

    /**
     * Start {@code bulk-server} from this JVM's own class path with the launcher's JVM flags.
     *
     * @return its port on 127.0.0.1.
     */
    private static int startBulkServer(
        final Children children, final Path logDir, final List<String> flags, final int threads)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS,
            "bulk-server", "--listen", "127.0.0.1:0", "--threads", Integer.toString(threads)));
        final ChildProcess server = children.add(
            ChildProcess.start("bulk-server", command, logDir.resolve("bulk-server.log")));
        final String line = server.awaitLine(candidate -> candidate.contains(BulkServer.LISTENING_MARKER),
            ProxyLauncher.STARTUP_TIMEOUT_NS, "'" + BulkServer.LISTENING_MARKER + "HOST:PORT'");
        final String rest = line.substring(line.indexOf(BulkServer.LISTENING_MARKER) +
            BulkServer.LISTENING_MARKER.length());
        final int space = rest.indexOf(' ');
        final String address = space < 0 ? rest : rest.substring(0, space);
        try
        {
            return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("cannot read a port from \"" + line + "\"", ex);
        }
    }

    private static String describe(final List<Target> targets)
    {
        final StringBuilder where = new StringBuilder();
        for (final Target target : targets)
        {
            where.append(where.length() == 0 ? "" : ", ").append(target.name()).append('=').append(target.address());
        }
        return where.toString();
    }

    private static String summary(final BulkResult result)
    {
        return String.format(Locale.ROOT, "%.2f Gbit/s (%,.0f MB/s) in %.2f s",
            result.gbitPerSec(), result.mbPerSec(), result.wallNs() / 1e9);
    }

    /**
     * One line per transfer: on a terminal it says "running" first and is then rewritten with the result.
     */
    private static final class Progress
    {
        private final PrintStream out;
        private final boolean terminal;
        private String prefix = "";

        Progress(final PrintStream out, final boolean terminal)
        {
            this.out = out;
            this.terminal = terminal;
        }

        void start(final String cell)
        {
            prefix = cell;
            if (terminal)
            {
                out.print("\r" + prefix + ": running ...");
                out.flush();
            }
        }

        void end(final String summary)
        {
            out.println((terminal ? "\r" : "") + prefix + ": " + summary + (terminal ? "      " : ""));
        }
    }
}
