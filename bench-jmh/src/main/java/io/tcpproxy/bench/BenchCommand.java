package io.tcpproxy.bench;

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
 * run the scenario matrix against all of them, print the table and write the reports.
 */
final class BenchCommand
{
    private static final Set<String> OPTIONS = Set.of(
        "--quick", "--runs", "--scenarios", "--scenario", "--against", "--workers", "--with-haproxy", "--with-nginx",
        "--out", "--threads", "--rate", "--duration-secs", "--timeout-ms", "--home");
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
        final List<String> flags = launcher.jvmFlags();

        try (Children children = new Children())
        {
            out.println("starting echo server and proxy from " + launcher.proxyJar() +
                (flags.isEmpty() ? "" : " with " + String.join(" ", flags)));
            final int echoPort = launcher.startEcho(children, outDir);
            final ProxyLauncher.StartedProxy proxy = launcher.startProxy(
                children, outDir, "127.0.0.1:0", echoPort, "127.0.0.1:0", workers, "off");

            final List<Target> targets = new ArrayList<>();
            targets.add(new Target("proxy", "127.0.0.1", proxy.port()));
            targets.add(new Target("direct", "127.0.0.1", echoPort));
            targets.addAll(options.targets);
            if (options.withHaproxy)
            {
                targets.add(new Target("haproxy", "127.0.0.1",
                    ExternalProxies.startHaproxy(outDir, children, echoPort, workers)));
            }
            if (options.withNginx)
            {
                targets.add(new Target("nginx", "127.0.0.1",
                    ExternalProxies.startNginx(outDir, children, echoPort, workers)));
            }
            final StringBuilder where = new StringBuilder();
            for (final Target target : targets)
            {
                where.append(where.length() == 0 ? "" : ", ").append(target.name()).append('=').append(target.address());
            }
            out.println("targets: " + where + "; proxy workers: " + workers + "; " + scenarios.size() +
                " scenarios x " + targets.size() + " targets x " + options.runs + " run(s)");

            final MatrixRunner runner = new MatrixRunner(
                new ProgressLine(out, terminal), options.selectorThreads, options.timeoutNs);
            final BenchReport report = runner.run(scenarios, targets, options.runs, options.mode(scenarios));
            if (!proxy.process().isAlive())
            {
                out.println("warning: the proxy exited during the run; its last output:\n" + proxy.process().tail());
            }

            out.println();
            out.print(MarkdownTable.render(report));
            out.println();
            for (final Path path : ReportFiles.write(report, outDir, "tcp-proxy " + String.join(" ", args)))
            {
                out.println("wrote " + path);
            }
            out.println("logs of the child processes are in " + outDir);
        }
        return 0;
    }
}
