package io.tcpproxy.bench;

import io.tcpproxy.bench.bulk.BulkBench;
import io.tcpproxy.bench.bulk.BulkCommand;
import io.tcpproxy.bench.bulk.BulkMarkdown;
import io.tcpproxy.bench.bulk.BulkOptions;
import io.tcpproxy.bench.bulk.BulkReport;
import io.tcpproxy.bench.cpu.CpuSources;
import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.ExternalProxies;
import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.report.Target;
import io.tcpproxy.bench.scenario.Scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code bench}: start the echo server and the proxy as child processes, optionally HAProxy and nginx,
 * run the scenario matrix against all of them, print the table and write the reports. With {@code --bulk}, then
 * measure bulk throughput through a second set of child processes in front of a bulk server, and report both.
 */
final class BenchCommand
{
    private static final Set<String> OPTIONS = Set.of(
        "--quick", "--runs", "--scenarios", "--scenario", "--against", "--workers", "--with-haproxy", "--with-nginx",
        "--upstreams", "--out", "--threads", "--rate", "--duration-secs", "--timeout-ms", "--home", "--bulk", "--bulk-size");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private BenchCommand()
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        final BenchOptions options = BenchOptions.parse("bench", args, OPTIONS);
        ExternalProxies.requireInstalled(options.withHaproxy, options.withNginx);
        final ProxyLauncher launcher = new ProxyLauncher(ProxyLauncher.resolveHome(options.home));
        final List<Scenario> scenarios = options.scenarios(launcher.home());
        final Path outDir = options.outDir != null ? Path.of(options.outDir).toAbsolutePath() :
            launcher.home().resolve("bench-results").resolve(LocalDateTime.now().format(TIMESTAMP));
        Files.createDirectories(outDir);
        final int workers = options.workers > 0 ? options.workers : Runtime.getRuntime().availableProcessors();
        final String commandLine = "tcp-proxy " + String.join(" ", args);
        final BulkOptions bulkOptions = options.bulkOptions(workers);

        try (Interruption interruption = Interruption.ofCurrentThread())
        {
            return run(options, launcher, scenarios, outDir, workers, commandLine, bulkOptions, interruption, out,
                terminal);
        }
    }

    /**
     * Say how a matrix run ended: "interrupted" after a signal, an error when a target stopped answering.
     *
     * @return 0, {@link BenchMain#EXIT_INTERRUPTED} or {@link BenchMain#EXIT_FAILURE}.
     * @throws IOException naming the target that could not be reached.
     */
    static int finish(final BenchReport report, final Interruption interruption, final PrintStream out)
        throws IOException
    {
        if (interruption.signalled() || "interrupted".equals(report.incomplete()))
        {
            out.println("interrupted: the reports hold what was measured before the signal");
            return BenchMain.EXIT_INTERRUPTED;
        }
        if (report.incomplete() != null)
        {
            throw new IOException(report.incomplete());
        }
        return 0;
    }

    private static int run(
        final BenchOptions options,
        final ProxyLauncher launcher,
        final List<Scenario> scenarios,
        final Path outDir,
        final int workers,
        final String commandLine,
        final BulkOptions bulkOptions,
        final Interruption interruption,
        final PrintStream out,
        final boolean terminal) throws IOException, InterruptedException
    {
        final BenchReport report = runMatrix(options, launcher, scenarios, outDir, workers, out, terminal);
        out.println();
        final String matrixTable = MarkdownTable.render(report);
        out.print(bulkOptions == null ? matrixTable : ReportFiles.section(ReportFiles.MATRIX_HEADING, matrixTable));
        out.println();

        BulkReport bulk = null;
        try
        {
            if (bulkOptions != null && report.incomplete() == null)
            {
                // its own child processes, as the bulk server is another upstream; their logs stay apart
                bulk = BulkBench.run(bulkOptions, launcher, outDir.resolve("bulk"), commandLine, out, terminal);
                out.println();
                out.print(ReportFiles.section(ReportFiles.BULK_HEADING, BulkMarkdown.render(bulk)));
                out.println();
            }
        }
        finally
        {
            // the matrix's results are written even when the bulk part fails to start or a signal stops it; an
            // interrupt would close the report files' channels, so it waits until they are written
            final boolean interrupted = Thread.interrupted();
            for (final Path path : ReportFiles.write(report, bulk, outDir, commandLine))
            {
                out.println("wrote " + path);
            }
            out.println("logs of the child processes are in " + outDir +
                (bulkOptions == null ? "" : " (of the bulk part in " + outDir.resolve("bulk") + ")"));
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        final int matrixExit = finish(report, interruption, out);
        return matrixExit != 0 || bulk == null ? matrixExit : BulkCommand.exitCode(bulk);
    }

    private static BenchReport runMatrix(
        final BenchOptions options,
        final ProxyLauncher launcher,
        final List<Scenario> scenarios,
        final Path outDir,
        final int workers,
        final PrintStream out,
        final boolean terminal) throws IOException, InterruptedException
    {
        final List<String> flags = launcher.jvmFlags();
        try (Children children = new Children())
        {
            out.println("starting echo server and proxy from " + launcher.proxyJar() +
                (flags.isEmpty() ? "" : " with " + String.join(" ", flags)));
            final List<Integer> echoPorts = startEchoServers(launcher, children, outDir, options.upstreams);
            final int echoPort = echoPorts.get(0);
            final ProxyLauncher.StartedProxy proxy = launcher.startProxy(
                children, outDir, "127.0.0.1:0", echoPorts, "127.0.0.1:0", workers, "off");

            final List<Target> targets = new ArrayList<>();
            targets.add(new Target("proxy", "127.0.0.1", proxy.port()));
            targets.add(new Target("direct", "127.0.0.1", echoPort));
            targets.addAll(options.targets);
            targets.addAll(ExternalProxies.startRequested(
                outDir, children, echoPorts, workers, options.withHaproxy, options.withNginx));
            final StringBuilder where = new StringBuilder();
            for (final Target target : targets)
            {
                where.append(where.length() == 0 ? "" : ", ").append(target.name()).append('=').append(target.address());
            }
            out.println("targets: " + where + "; proxy workers: " + workers + "; " +
                (echoPorts.size() == 1 ? "" : echoPorts.size() + " echo servers behind each proxy (round robin), " +
                "direct to the first; ") + scenarios.size() +
                " scenarios x " + targets.size() + " targets x " + options.runs + " run(s)");

            final MatrixRunner runner = new MatrixRunner(
                new ProgressLine(out, terminal), options.selectorThreads, options.timeoutNs, CpuSources.of(children));
            final BenchReport report = runner.run(scenarios, targets, options.runs, options.mode(scenarios));
            if (!proxy.process().isAlive())
            {
                out.println("warning: the proxy exited during the run; its last output:\n" + proxy.process().tail());
            }
            return report;
        }
    }

    /**
     * The echo servers behind the proxies: {@code echo} (the one {@code direct} measures, and whose CPU is
     * {@code direct}'s), then {@code echo-2}, {@code echo-3}, ...
     */
    private static List<Integer> startEchoServers(
        final ProxyLauncher launcher, final Children children, final Path outDir, final int count)
        throws IOException, InterruptedException
    {
        final List<Integer> ports = new ArrayList<>(count);
        for (int i = 1; i <= count; i++)
        {
            ports.add(launcher.startEcho(children, outDir, i == 1 ? "echo" : "echo-" + i));
        }
        return ports;
    }
}
