package io.tcpproxy.bench;

import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.LoopbackPorts;
import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.report.Target;
import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: the first command a newcomer runs. Starts the echo server and the proxy in front of it
 * (metrics on), drives a light load with a live progress line, prints a one-row table and where to look
 * next, then keeps both up until Ctrl+C.
 */
final class DemoCommand
{
    private static final Set<String> OPTIONS =
        Set.of("--workers", "--connections", "--size", "--duration-secs", "--threads", "--home");
    private static final int DEFAULT_LISTEN_PORT = 3000;
    private static final int DEFAULT_METRICS_PORT = 9090;

    private DemoCommand()
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        final BenchOptions options = BenchOptions.parse("demo", args, OPTIONS);
        final ProxyLauncher launcher = new ProxyLauncher(ProxyLauncher.resolveHome(options.home));
        final Scenario scenario = new Scenario(
            "demo",
            options.connections > 0 ? options.connections : 10,
            options.messageBytes > 0 ? options.messageBytes : 1024,
            TimeUnit.MILLISECONDS.toNanos((long)((options.durationSecs > 0 ? options.durationSecs : 5) * 1000)),
            TimeUnit.MILLISECONDS.toNanos(500),
            0);
        final Path logDir = Files.createTempDirectory("tcp-proxy-demo-");
        final String listen = "127.0.0.1:" + (LoopbackPorts.isFree(DEFAULT_LISTEN_PORT) ? DEFAULT_LISTEN_PORT : 0);
        final boolean defaultMetricsPortFree = LoopbackPorts.isFree(DEFAULT_METRICS_PORT);
        final String metricsAddr = "127.0.0.1:" + (defaultMetricsPortFree ? DEFAULT_METRICS_PORT : LoopbackPorts.freePort());

        final Children children = new Children();
        try
        {
            out.println("starting the echo server and tcp-proxy in front of it (" + launcher.proxyJar() + ")");
            final int echoPort = launcher.startEcho(children, logDir);
            final ProxyLauncher.StartedProxy proxy = launcher.startProxy(
                children, logDir, listen, echoPort, metricsAddr, options.workers, "connections");
            final String metricsUrl = proxy.metricsUrl() != null ? proxy.metricsUrl() : "http://" + metricsAddr + "/metrics";
            out.println("echo server on 127.0.0.1:" + echoPort + ", tcp-proxy on 127.0.0.1:" + proxy.port() +
                ", metrics on " + metricsUrl + (defaultMetricsPortFree ? "" : " (port 9090 was busy)"));
            out.println("driving " + scenario.connections() + " connections x " +
                ScenarioFile.formatSize(scenario.messageBytes()) +
                " echo ping-pong through the proxy for " + BenchOptions.describeSeconds(scenario.durationNs()));

            final MatrixRunner runner = new MatrixRunner(
                new ProgressLine(out, terminal), options.selectorThreads, options.timeoutNs);
            final BenchReport report = runner.run(
                List.of(scenario), List.of(new Target("proxy", "127.0.0.1", proxy.port())), 1, "closed loop, demo");
            out.println();
            out.print(MarkdownTable.render(report));
            out.println();
            out.println("tcp-proxy keeps running. Try:");
            out.println("  curl -s " + metricsUrl);
            out.println("  curl -s '" + metricsUrl + "?format=json'");
            out.println("  nc 127.0.0.1 " + proxy.port() + "     (type a line: the echo server sends it back through the proxy)");
            out.println("logs: " + logDir);
            out.println("Press Ctrl+C to stop the proxy and the echo server.");
            out.println();

            proxy.process().echoTo(out);
            children.afterStopOnSignal(() ->
            {
                out.println();
                out.println("stopped tcp-proxy and the echo server");
                out.flush();
                // Ctrl+C is how a demo is meant to end, so it ends with success rather than the signal's 130
                Runtime.getRuntime().halt(0);
            });
            while (proxy.process().isAlive())
            {
                proxy.process().awaitExit(TimeUnit.SECONDS.toNanos(1));
            }
            if (children.isShuttingDown())
            {
                // Ctrl+C: the shutdown hook stops everything and ends the JVM
                children.awaitShutdown();
                return 0;
            }
            out.println("tcp-proxy exited on its own; its last output:\n" + proxy.process().tail());
            return BenchMain.EXIT_FAILURE;
        }
        finally
        {
            children.close();
        }
    }
}
