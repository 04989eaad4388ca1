package io.tcpproxy.bench.soak;

import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.ProxyLauncher;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code soak}: the echo server and the proxy as child processes, mixed load for a while, samples of the proxy's RSS,
 * descriptors and totals, then a verdict (see {@link SoakVerdict}).
 */
public final class Soak
{
    private static final long SETTLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private Soak()
    {
    }

    /**
     * @param launcher starts the proxy.
     * @param logDir   where the logs go.
     * @param durationNs how long the load runs.
     * @param workers  the proxy's workers, 0 for its default.
     * @param out      where progress and the summary go.
     * @return the failures, empty when the soak passed.
     * @throws IOException          when a process cannot start or the metrics cannot be read.
     * @throws InterruptedException when interrupted.
     */
    public static List<String> run(
        final ProxyLauncher launcher, final Path logDir, final long durationNs, final int workers, final PrintStream out)
        throws IOException, InterruptedException
    {
        try (Children children = new Children())
        {
            final int echoPort = launcher.startEcho(children, logDir);
            final ProxyLauncher.StartedProxy proxy = launcher.startProxy(
                children, logDir, "127.0.0.1:0", echoPort, "127.0.0.1:0", workers, "off");
            if (proxy.metricsUrl() == null)
            {
                throw new IOException("the proxy did not print its metrics URL; its last output:\n" + proxy.process().tail());
            }
            final ProxyProbe probe = new ProxyProbe(proxy.process().pid(), proxy.metricsUrl());
            final SoakSample idle = probe.sample(0);
            out.println(String.format(Locale.ROOT, "soak: proxy pid %d on 127.0.0.1:%d, metrics %s; idle: %s",
                proxy.process().pid(), proxy.port(), proxy.metricsUrl(), describe(idle)));

            final SoakLoad load = new SoakLoad(new InetSocketAddress("127.0.0.1", proxy.port()), 4, 20);
            final long startNs = System.nanoTime();
            final long sampleEveryNs = Math.max(TimeUnit.MILLISECONDS.toNanos(500), Math.min(
                TimeUnit.SECONDS.toNanos(10), durationNs / 10));
            final List<SoakSample> during = new ArrayList<>();
            load.start();
            try
            {
                long nextNs = startNs + sampleEveryNs;
                while (System.nanoTime() - startNs < durationNs && load.failure.get() == null)
                {
                    TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(nextNs, startNs + durationNs) - System.nanoTime()));
                    if (System.nanoTime() >= nextNs)
                    {
                        final SoakSample sample = probe.sample((System.nanoTime() - startNs) / 1e9);
                        during.add(sample);
                        out.println(String.format(Locale.ROOT, "[%6.1f s] %s; clients: %,d connections, %,d bytes up",
                            sample.elapsedSecs(), describe(sample), load.connections.get(), load.bytesUp.get()));
                        nextNs += sampleEveryNs;
                    }
                }
            }
            finally
            {
                load.stop();
            }

            final SoakSample end = settle(probe, idle, load, startNs);
            out.println("end: " + describe(end));
            final List<String> failures = new ArrayList<>();
            if (load.failure.get() != null)
            {
                failures.add(load.failure.get());
            }
            failures.addAll(SoakVerdict.failures(idle, during, end, load.bytesUp.get(), load.bytesDown.get(),
                load.connections.get()));
            out.println(String.format(Locale.ROOT,
                "summary: %.0f s, %,d client connections, %,d bytes up, %,d bytes down; proxy totals %s; " +
                "RSS warm %.1f MB -> end %.1f MB; fds idle %d -> end %d: %s",
                (System.nanoTime() - startNs) / 1e9, load.connections.get(), load.bytesUp.get(), load.bytesDown.get(),
                failures.stream().anyMatch(f -> f.contains("bytes_") || f.contains("total_connections")) ?
                    "DIFFER" : "exact", SoakVerdict.warmRss(during) / 1e6, end.rssBytes() / 1e6, idle.openFds(),
                end.openFds(), failures.isEmpty() ? "PASS" : "FAIL"));
            failures.forEach(failure -> out.println("  failure: " + failure));
            if (!proxy.process().isAlive())
            {
                failures.add("the proxy exited; its last output:\n" + proxy.process().tail());
            }
            return failures;
        }
    }

    /**
     * After the clients closed: wait until the proxy reports no active connection and its totals stop moving
     * (the collector publishes them periodically), then take the final sample.
     */
    private static SoakSample settle(
        final ProxyProbe probe, final SoakSample idle, final SoakLoad load, final long startNs)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + SETTLE_TIMEOUT_NS;
        SoakSample last = probe.sample((System.nanoTime() - startNs) / 1e9);
        while (System.nanoTime() < deadlineNs)
        {
            final boolean exact = last.activeConnections() == 0 &&
                last.bytesUpstream() - idle.bytesUpstream() == load.bytesUp.get() &&
                last.bytesDownstream() - idle.bytesDownstream() == load.bytesDown.get() &&
                last.totalConnections() - idle.totalConnections() == load.connections.get() &&
                last.openFds() <= idle.openFds() + SoakVerdict.FD_SLACK;
            if (exact)
            {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(250);
            last = probe.sample((System.nanoTime() - startNs) / 1e9);
        }
        return last;
    }

    private static String describe(final SoakSample sample)
    {
        return String.format(Locale.ROOT, "RSS %.1f MB, %d fds, active %d, total %,d, up %,d B, down %,d B",
            sample.rssBytes() / 1e6, sample.openFds(), sample.activeConnections(), sample.totalConnections(),
            sample.bytesUpstream(), sample.bytesDownstream());
    }
}
