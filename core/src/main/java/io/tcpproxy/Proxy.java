package io.tcpproxy;

import io.tcpproxy.admin.AdminOps;
import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.config.AccessLogFormat;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.metrics.AccessLog;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsEndpointFactory;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A running proxy: listeners, selector workers relaying both directions, the metrics collector and, when
 * {@code metrics_addr} is set, the HTTP metrics endpoint.
 *
 * <pre>{@code
 * Config config = Config.fromFile(Path.of("proxy.toml"));
 * try (Proxy proxy = Proxy.start(config)) {
 *     System.out.println("Proxy listening on " + proxy.localAddress());
 *     proxy.awaitShutdown();
 * }
 * }</pre>
 * Thread-safe. {@link #shutdown(Duration)} and {@link #close()} may be called from any thread, any number of times.
 */
public final class Proxy implements AutoCloseable
{
    private static final long COUNTDOWN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long DRAIN_POLL_MS = 5;
    private static final String PREFIX = "[SHUTDOWN] ";

    private final Engine engine;
    private final Reloader reloader;
    private final MetricsEndpoint metricsEndpoint;
    private final PrintStream console;
    /** The access log, or null when off; the collector writes and closes it. */
    private final AccessLog accessLog;
    private final Object lock = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean shutdownStarted;
    private long deadlineNs;
    private boolean graceCutShort;

    private Proxy(
        final Engine engine,
        final Reloader reloader,
        final MetricsEndpoint metricsEndpoint,
        final PrintStream console,
        final AccessLog accessLog)
    {
        this.accessLog = accessLog;
        this.engine = engine;
        this.reloader = reloader;
        this.metricsEndpoint = metricsEndpoint;
        this.console = console;
    }

    /**
     * Bind the listener(s) and the metrics endpoint, start the workers and the collector. Console lines go to
     * standard output (UTF-8).
     *
     * @param config the settings.
     * @return the running proxy.
     * @throws IOException if an address cannot be bound.
     */
    public static Proxy start(final Config config) throws IOException
    {
        return start(config, new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8));
    }

    /**
     * As {@link #start(Config)}, with the console lines (events, summaries, shutdown progress) sent to
     * {@code console}.
     *
     * @param config  the settings.
     * @param console where console lines go.
     * @return the running proxy.
     * @throws IOException if an address cannot be bound.
     * @throws ConfigException if the access log file cannot be opened for writing.
     */
    public static Proxy start(final Config config, final PrintStream console) throws IOException
    {
        final AccessLog accessLog = openAccessLog(config);
        final Engine engine;
        try
        {
            engine = Engine.start(config, console, accessLog);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            if (null != accessLog)
            {
                accessLog.close();
            }
            throw ex;
        }
        final Reloader reloader;
        MetricsEndpoint endpoint = null;
        try
        {
            reloader = new Reloader(engine, config, console);
            final HostPort metricsAddress = config.metricsAddress();
            if (metricsAddress != null)
            {
                endpoint = startMetricsEndpoint(metricsAddress, engine, new ProxyAdmin(engine, reloader, console));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            engine.stop(false);
            throw ex;
        }
        engine.announceUpstreams();
        return new Proxy(engine, reloader, endpoint, console, accessLog);
    }

    /**
     * @return the access log of {@code access_log} / {@code access_log_format}, or null for "off".
     * @throws ConfigException when the file cannot be opened for writing (a configuration error: exit 2).
     */
    private static AccessLog openAccessLog(final Config config)
    {
        final io.tcpproxy.config.AccessLog setting = config.accessLog();
        final AccessLog.Format format =
            config.accessLogFormat() == AccessLogFormat.JSON ? AccessLog.Format.JSON : AccessLog.Format.TEXT;
        switch (setting.target())
        {
            case OFF:
                return null;
            case STDOUT:
                return AccessLog.toStream(System.out, format);
            default:
                try
                {
                    return AccessLog.toFile(setting.path(), format);
                }
                catch (final IOException | RuntimeException ex)
                {
                    throw new ConfigException("access_log", 0, "access_log: cannot write to \"" + setting.path() +
                        "\": " + describe(ex));
                }
        }
    }

    private static String describe(final Exception ex)
    {
        return ex instanceof AccessDeniedException ? "permission denied" :
            ex instanceof NoSuchFileException ? "no such file or directory" : String.valueOf(ex.getMessage());
    }

    /**
     * Reopen the access log file before its next line, for logrotate (the CLI calls this on SIGUSR1). Safe from any
     * thread; does nothing when the log is off or goes to standard output.
     */
    public void reopenAccessLog()
    {
        if (null != accessLog)
        {
            accessLog.reopen();
        }
    }

    private static MetricsEndpoint startMetricsEndpoint(
        final HostPort address, final Engine engine, final AdminOps admin) throws IOException
    {
        final Iterator<MetricsEndpointFactory> factories =
            ServiceLoader.load(MetricsEndpointFactory.class, Proxy.class.getClassLoader()).iterator();
        if (!factories.hasNext())
        {
            throw new IllegalStateException("metrics_addr is set to " + address +
                " but no metrics endpoint is on the class path (add tcp-proxy-metrics-http, or set metrics_addr = \"\")");
        }
        final InetSocketAddress bindAddress = address.resolve();
        if (bindAddress.isUnresolved())
        {
            throw new IOException("cannot serve metrics on " + address + ": host name does not resolve");
        }
        try
        {
            return factories.next().start(bindAddress, engine.collector()::snapshot, admin);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot serve metrics on " + address + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the address clients connect to (the real port when 0 was configured). */
    public InetSocketAddress localAddress()
    {
        return engine.localAddress();
    }

    /** @return the metrics endpoint's address (the real port), or null when metrics_addr is empty. */
    public InetSocketAddress metricsAddress()
    {
        return metricsEndpoint == null ? null : metricsEndpoint.localAddress();
    }

    /** @return the target as configured. */
    public HostPort targetAddress()
    {
        return reloader.current().targetAddress();
    }

    /** @return the settings this proxy runs with: as started, with what reloads applied since. */
    public Config config()
    {
        return reloader.current();
    }

    /**
     * Read the configuration file given at start again (see {@link Config#sourcePath()}, or the loader set with
     * {@link #configSource(Supplier)}) and apply it in place, as SIGHUP and {@code POST /admin/reload} do. The file is
     * validated completely first: an invalid one changes nothing ({@code [RELOAD] rejected: ...}). Keys a running
     * proxy cannot change are reported ({@code [RELOAD] needs a restart: workers (2 → 4)}) and keep their value; the
     * rest applies to new connections at once, never to a mix of old and new settings. No open connection is cut.
     * Never throws for a bad file; safe from any thread (reloads run one at a time).
     *
     * @return what the reload did.
     */
    public ReloadResult reload()
    {
        return isShuttingDown() ? reloader.reject("the proxy is shutting down") : reloader.reload();
    }

    /**
     * As {@link #reload()}, with settings already read (e.g. built in code).
     *
     * @param newer the settings to apply.
     * @return what the reload did.
     */
    public ReloadResult reload(final Config newer)
    {
        return isShuttingDown() ? reloader.reject("the proxy is shutting down") : reloader.reload(newer);
    }

    /**
     * Where {@link #reload()} reads the settings from, instead of {@link Config#sourcePath()}: e.g. the CLI reads the
     * file again and applies its command-line flags over it, as it did at start.
     *
     * @param loader returns validated settings, or throws {@link io.tcpproxy.config.ConfigException} with the
     *               one-line error.
     */
    public void configSource(final Supplier<Config> loader)
    {
        reloader.source(loader);
    }

    /** @return the short hash of the configuration file in force (as in {@code tcp_proxy_config_info}). */
    public String configHash()
    {
        return reloader.hash();
    }

    /**
     * One page of the connections open now, as {@code GET /admin/connections} lists them.
     *
     * @param afterId only connections with an id above this; -1 from the start.
     * @param limit   at most this many (1 to {@link ConnectionPage#MAX_LIMIT}).
     * @return the page, lowest ids first.
     */
    public ConnectionPage connections(final long afterId, final int limit)
    {
        return engine.connections(afterId, limit);
    }

    /** @return the latest metrics snapshot (at most ~100 ms old while anything changes). */
    public MetricsSnapshot metrics()
    {
        return engine.collector().snapshot();
    }

    /**
     * @return the most connections open at once: {@code max_connections}, or fewer when the process's descriptor
     *         limit ({@code RLIMIT_NOFILE}, see {@link #descriptorLimit()}) holds fewer (two descriptors each); at that
     *         lower cap accepting pauses and new clients wait in the backlog instead of being rejected.
     */
    public int maxConnections()
    {
        return engine.maxConnections();
    }

    /** @return the process's descriptor limit ({@code RLIMIT_NOFILE}), or {@code Long.MAX_VALUE} if unknown. */
    public long descriptorLimit()
    {
        return engine.descriptorLimit();
    }

    /**
     * @return the upstream pools in {@code Config.pools()} order, each with its servers ({@code pool.servers()});
     * a server's {@code adminState(...)} drains, disables or enables it. Empty when {@code target_addr} is a host
     * name (the single-target path, re-resolved every 30 s).
     */
    public List<UpstreamPool> upstreamPools()
    {
        return engine.upstreamPools();
    }

    /** @return every upstream server of every pool, in pool order then configuration order. */
    public List<UpstreamServer> upstreams()
    {
        final List<UpstreamServer> servers = new ArrayList<>();
        for (final UpstreamPool pool : engine.upstreamPools())
        {
            servers.addAll(pool.servers());
        }
        return servers;
    }

    /** @return unexpected errors inside the engine so far (each also logged); never decreases. */
    public long internalErrors()
    {
        return engine.internalErrors();
    }

    /** @return connections open right now (exact, unlike the snapshot which may be ~100 ms old). */
    public int activeConnections()
    {
        return engine.activeConnections();
    }

    /**
     * Graceful stop: stop accepting at once (the listen sockets close, so new connects are refused), mark the
     * metrics as draining, let open connections finish for up to {@code grace}, close the rest (reason
     * {@link CloseReason#SHUTDOWN}), drain the metrics, print the final summary and release every thread, socket and
     * buffer. Returns when done, as soon as no connection is left.
     * <p>
     * Called again while a shutdown runs (a second Ctrl+C, or {@link #close()}), it shortens the grace period to the
     * new value and returns when the shutdown is done.
     *
     * @param grace how long to wait for open connections.
     */
    public void shutdown(final Duration grace)
    {
        final long graceNs = grace.isNegative() ? 0 : saturatedNanos(grace);
        final boolean owner;
        synchronized (lock)
        {
            final long newDeadlineNs = System.nanoTime() + graceNs;
            owner = !shutdownStarted;
            if (owner)
            {
                shutdownStarted = true;
                deadlineNs = newDeadlineNs;
            }
            else if (newDeadlineNs - deadlineNs < 0)
            {
                deadlineNs = newDeadlineNs;
                graceCutShort = true;
                lock.notifyAll();
            }
        }
        if (owner)
        {
            try
            {
                runShutdown(graceNs);
            }
            finally
            {
                stopped.countDown();
            }
        }
        else
        {
            awaitStoppedUninterruptibly();
        }
    }

    private void runShutdown(final long graceNs)
    {
        awaitDrainingPublished();
        engine.stopAccepting();
        int active = engine.activeConnections();
        console.println(PREFIX + "stopped accepting; " + (graceNs > 0 ?
            "waiting up to " + formatSeconds(graceNs) + " for " + connections(active) : "no grace period"));
        long lastCountdownNs = System.nanoTime();
        while (true)
        {
            active = engine.activeConnections();
            if (active == 0)
            {
                console.println(PREFIX + "all connections closed");
                break;
            }
            final long nowNs = System.nanoTime();
            final long remainingNs;
            final boolean cutShort;
            synchronized (lock)
            {
                remainingNs = deadlineNs - nowNs;
                cutShort = graceCutShort;
            }
            if (remainingNs <= 0)
            {
                final String why = cutShort ? "grace period cut short: " : graceNs > 0 ? "grace period over: " : "";
                console.println(PREFIX + why + "closing " + connections(active));
                engine.closeAllConnections();
                break;
            }
            if (nowNs - lastCountdownNs >= COUNTDOWN_INTERVAL_NS)
            {
                lastCountdownNs = nowNs;
                console.println(PREFIX + "draining: " + connections(active) + " open, " + formatSeconds(remainingNs) +
                    " left");
            }
            synchronized (lock)
            {
                try
                {
                    lock.wait(Math.max(1, Math.min(DRAIN_POLL_MS, TimeUnit.NANOSECONDS.toMillis(remainingNs))));
                }
                catch (final InterruptedException ex)
                {
                    deadlineNs = System.nanoTime(); // an interrupted shutdown stops waiting, never hangs
                    Thread.currentThread().interrupt();
                }
            }
        }
        engine.stop(true);
        if (metricsEndpoint != null)
        {
            metricsEndpoint.close();
        }
        console.println(PREFIX + "stopped");
    }

    /**
     * Mark the metrics as draining and wait until the collector has published it, so that by the time the listeners
     * close (and the console says so) {@code /healthz} already answers 503.
     */
    private void awaitDrainingPublished()
    {
        engine.collector().draining();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!engine.collector().snapshot().draining() && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Block until the proxy has stopped (after {@link #shutdown(Duration)} or {@link #close()} from another thread).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitShutdown() throws InterruptedException
    {
        stopped.await();
    }

    /**
     * Block until the proxy has stopped, or the timeout passes.
     *
     * @param timeout how long to wait.
     * @return true if the proxy has stopped.
     * @throws InterruptedException if interrupted while waiting.
     */
    public boolean awaitShutdown(final Duration timeout) throws InterruptedException
    {
        return stopped.await(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /** @return true once a shutdown has begun (the proxy no longer accepts). */
    public boolean isShuttingDown()
    {
        synchronized (lock)
        {
            return shutdownStarted;
        }
    }

    /**
     * Shutdown with no grace: closes every connection now and releases every thread, socket and buffer. Returns
     * when done; does nothing more if the proxy has already stopped.
     */
    public void close()
    {
        shutdown(Duration.ZERO);
    }

    private void awaitStoppedUninterruptibly()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                stopped.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long saturatedNanos(final Duration duration)
    {
        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE / 2;
        }
    }

    private static String connections(final int count)
    {
        return count + (count == 1 ? " connection" : " connections");
    }

    private static String formatSeconds(final long ns)
    {
        final long secs = TimeUnit.NANOSECONDS.toSeconds(ns + 999_999_999L);
        return secs + "s";
    }
}
