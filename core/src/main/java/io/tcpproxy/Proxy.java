package io.tcpproxy;

import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.metrics.AccessLog;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
    private final Engine engine;
    private final Reloader reloader;
    private final MetricsEndpoint metricsEndpoint;
    /** The access log, or null when off; the collector writes and closes it. */
    private final AccessLog accessLog;
    private final ShutdownSequence shutdown;

    Proxy(
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
        this.shutdown = new ShutdownSequence(engine, metricsEndpoint, console);
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
        return ProxyStartup.start(config, console);
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
        return ProxyAdmin.upstreams(engine);
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
        shutdown.shutdown(grace);
    }

    /**
     * Block until the proxy has stopped (after {@link #shutdown(Duration)} or {@link #close()} from another thread).
     *
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitShutdown() throws InterruptedException
    {
        shutdown.awaitStopped();
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
        return shutdown.awaitStopped(timeout);
    }

    /** @return true once a shutdown has begun (the proxy no longer accepts). */
    public boolean isShuttingDown()
    {
        return shutdown.started();
    }

    /**
     * Shutdown with no grace: closes every connection now and releases every thread, socket and buffer. Returns
     * when done; does nothing more if the proxy has already stopped.
     */
    public void close()
    {
        shutdown(Duration.ZERO);
    }
}
