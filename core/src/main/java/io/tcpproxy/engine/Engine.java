package io.tcpproxy.engine;

import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.admission.Descriptors;
import io.tcpproxy.engine.admission.ListenerChange;
import io.tcpproxy.engine.admission.ListenerSet;
import io.tcpproxy.engine.admission.ListenerSwitch;
import io.tcpproxy.engine.admission.Listeners;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.engine.upstream.RoutingUpdate;
import io.tcpproxy.engine.upstream.TargetResolver;
import io.tcpproxy.engine.upstream.UpstreamMetrics;
import io.tcpproxy.engine.upstream.UpstreamPools;
import io.tcpproxy.metrics.AccessLog;
import io.tcpproxy.metrics.MetricsCollector;
import io.tcpproxy.upstream.UpstreamListener;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The running engine: listeners, workers, the metrics collector and (for host-name targets) the resolver.
 * Built and driven by the {@code Proxy} facade; every method here is called from the facade's threads, never from a
 * worker.
 */
public final class Engine
{
    private final Config config;
    private final EngineLog log;
    private final EngineContext context;
    private final ListenerSwitch listeners;
    private final WorkerGroup workers;
    private final MetricsCollector collector;
    private final AgentRunner collectorRunner;
    private final TargetResolver resolver;
    /** The pools in force (the latest routing table's); replaced whole by a reload. */
    private volatile UpstreamPool[] pools;
    /** Servers reloads removed, remembered (their series shown while they have connections). */
    private volatile UpstreamServer[] departed = new UpstreamServer[0];
    private final UpstreamListener poolListener;

    private Engine(
        final Config config,
        final PrintStream console,
        final InetSocketAddress target,
        final EngineLog log,
        final AccessLog accessLog)
        throws IOException
    {
        this.config = config;
        this.log = log;
        this.pools = UpstreamPools.build(config, log);
        this.poolListener = UpstreamPools.listener(log);
        this.context = new EngineContext(config, target, Descriptors.ofThisProcess(), log, null, pools);
        final int workerCount = config.effectiveWorkers();
        final ListenerSet bound =
            ListenerSet.bind(config.listenAddress(), Listeners.effectiveAcceptMode(config, console), workerCount);
        this.workers = new WorkerGroup(workerCount);
        this.listeners = new ListenerSwitch(bound, workers.workers(), context);
        try
        {
            workers.build(config, context, bound, log);
            bound.handOffTo(workers.workers(), context);
        }
        catch (final Throwable ex)
        {
            workers.releaseUnstarted();
            listeners.closeAll();
            UpstreamPools.closeAll(pools);
            throw ex;
        }
        this.collector = new MetricsCollector(config, workers.rings(), console, context.acceptorPauses::get, accessLog);
        collector.snapshotSource(new UpstreamMetrics(
            () -> pools, config.targetAddress() == null ? null : config.targetAddress().toString())::update);
        // The collector parks until its next snapshot is due (at most 100 ms); a worker wakes it when its ring passes
        // half full: ~10 wake-ups a second under steady load instead of ~300 (docs/performance-profile.md).
        this.collectorRunner = new AgentRunner(collector.idleStrategy(), this::onAgentError, null, collector);
        this.resolver = context.usesPools ? null : new TargetResolver(config, context);
    }

    /**
     * Bind the listeners and start every thread.
     *
     * @param config  the settings.
     * @param console where the collector prints.
     * @return the running engine.
     * @throws IOException when the listen address cannot be bound.
     */
    public static Engine start(final Config config, final PrintStream console) throws IOException
    {
        return start(config, console, null);
    }

    /**
     * Bind the listeners and start every thread, with an access log.
     *
     * @param config    the settings.
     * @param console   where the collector prints.
     * @param accessLog where the collector writes one line per closed connection, or null for none; closed when the
     *                  engine stops (not when the start fails: the caller still owns it then).
     * @return the running engine.
     * @throws IOException when the listen address cannot be bound.
     */
    public static Engine start(final Config config, final PrintStream console, final AccessLog accessLog)
        throws IOException
    {
        final InetSocketAddress target = config.targetAddress() == null ? null : config.targetAddress().resolve();
        final EngineLog log = new EngineLog(console);
        final Engine engine;
        try
        {
            engine = new Engine(config, console, target, log, accessLog);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            log.close();
            throw ex;
        }
        try
        {
            UpstreamPools.start(engine.pools);
            engine.workers.start(config, engine::onAgentError);
            AgentRunner.startOnThread(engine.collectorRunner);
            engine.listeners.startAcceptor();
            if (engine.resolver != null)
            {
                engine.resolver.start();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            engine.stop(false);
            throw ex;
        }
        return engine;
    }

    private void onAgentError(final Throwable error)
    {
        log.error(Thread.currentThread().getName() + ": " + error);
    }

    /** @return unexpected errors inside the engine so far ({@code tcp_proxy_internal_errors_total}). */
    public long internalErrors()
    {
        return log.internalErrors();
    }

    /** @return {@code max_connections} in force: as configured, or lower if the descriptor limit holds fewer. */
    public int maxConnections()
    {
        return context.effectiveMaxConnections();
    }

    /**
     * Apply changed {@code allow}, {@code deny} and per-client limits to the clients accepted from now on (a reload);
     * open connections stay. Any thread.
     *
     * @param config the new settings.
     */
    public void reconfigureAccess(final Config config)
    {
        context.access.reconfigure(config);
    }

    /** @return the process's descriptor limit ({@code RLIMIT_NOFILE}), or {@code Long.MAX_VALUE} if unknown. */
    public long descriptorLimit()
    {
        return context.descriptors.limit();
    }

    /** @return the address clients connect to (the one a reload moved them to, once it has). */
    public InetSocketAddress localAddress()
    {
        return listeners.localAddress();
    }

    /**
     * Bind a new {@code listen_addr} (a reload) as at start, while the listeners in force keep accepting; nothing
     * changes until {@link ListenerChange#commit()}. Any thread.
     *
     * @throws IOException (a {@link java.net.BindException}) when the address cannot be bound.
     */
    public ListenerChange bindListeners(final HostPort address) throws IOException
    {
        return listeners.bind(address);
    }

    /** @return the metrics collector. */
    public MetricsCollector collector()
    {
        return collector;
    }

    /** @return connections open now, over all workers. */
    public int activeConnections()
    {
        return context.activeConnections.get();
    }

    /**
     * @return the upstream pools in {@code Config.pools()} order (empty when {@code target_addr} is a host name,
     * which keeps the single-target path); their servers take admin state changes.
     */
    public List<UpstreamPool> upstreamPools()
    {
        return List.of(pools);
    }

    /** @return the settings. */
    public Config config()
    {
        return config;
    }

    /**
     * Close every listener at once (new connects are refused) and wait until each worker has done so.
     */
    public void stopAccepting()
    {
        workers.askEach(() -> new WorkerCommand.ChangePhase(Worker.STOP_ACCEPTING));
        listeners.closeAll();
    }

    /**
     * Close every remaining connection (reason {@code shutdown}) and wait until each worker has done so.
     */
    public void closeAllConnections()
    {
        workers.askEach(() -> new WorkerCommand.ChangePhase(Worker.CLOSE_ALL));
    }

    /**
     * @param config validated settings.
     * @return whether they describe pools of servers (false: a {@code target_addr} host name, kept on its own path;
     * a reload cannot switch between the two).
     */
    public static boolean usesPools(final Config config)
    {
        return UpstreamPools.usesPools(config);
    }

    /**
     * Build and validate the routing table of {@code applied} next to the running one: new pools taking over every
     * server whose address stays, the SNI routes, the limits. Nothing is in force until
     * {@link #applyRouting(RoutingUpdate)}, except the weight / backup / max_connections of servers that stay,
     * which change in place. Host names are resolved here (this thread, never a worker's).
     *
     * @param applied a validated configuration whose keys that need a restart equal the running ones.
     * @return the update.
     * @throws IllegalArgumentException when the settings cannot be served (a one-line reason).
     */
    public synchronized RoutingUpdate prepareRouting(final Config applied)
    {
        if (usesPools(applied) != context.usesPools)
        {
            throw new IllegalArgumentException("target_addr cannot switch between a host name and servers " +
                "(literal addresses or [[upstream]]) in a running proxy: restart it");
        }
        return RoutingUpdate.prepare(applied, context.usesPools, pools, departed, poolListener);
    }

    /**
     * Serve new connections with {@code update}: one immutable routing table handed to every worker through its
     * command queue, so a new connection sees the old table or the new one, never a mix; open connections keep
     * theirs. The new pools' health agents start first, the removed servers take no new clients, connections to them
     * get their drain deadline ({@code removed_server_drain_secs}), and the replaced pools' agents stop once every
     * worker has switched. Returns once every worker has switched (or after a few seconds, if one is stuck).
     *
     * @param update from {@link #prepareRouting(Config)}.
     * @return true when every worker confirmed the switch in time.
     */
    public synchronized boolean applyRouting(final RoutingUpdate update)
    {
        final RoutingTable table = update.table;
        if (update.rebuild != null)
        {
            update.rebuild.commit();
            pools = table.pools.clone();
        }
        departed = update.departed;
        final List<WorkerCommand.SwapRouting> commands = workers.askEach(
            () -> new WorkerCommand.SwapRouting(table, update.drain), () -> context.latestRouting(table));
        final boolean allDone = WorkerGroup.allDone(commands);
        if (update.rebuild != null)
        {
            update.rebuild.retireOld();
        }
        return allDone;
    }

    /**
     * {@link #prepareRouting(Config)} then {@link #applyRouting(RoutingUpdate)}.
     *
     * @param applied a validated configuration whose keys that need a restart equal the running ones.
     * @return true when every worker confirmed the switch in time.
     */
    public boolean applyRouting(final Config applied)
    {
        return applyRouting(prepareRouting(applied));
    }

    /**
     * One page of the open connections, gathered from every worker through its command queue (never by reading a
     * worker's state from this thread). Memory is bounded by {@code limit} per worker.
     *
     * @param afterId only connections with an id above this (-1 from the start).
     * @param limit   at most this many, 1 to {@link ConnectionPage#MAX_LIMIT}.
     * @return the page, lowest ids first.
     */
    public ConnectionPage connections(final long afterId, final int limit)
    {
        final int pageSize = Math.max(1, Math.min(limit, ConnectionPage.MAX_LIMIT));
        return ConnectionView.merge(workers.askEach(() -> new WorkerCommand.ListConnections(afterId, pageSize + 1)),
            pageSize);
    }

    /** Print the pools and their servers, once the proxy as a whole has started. */
    public void announceUpstreams()
    {
        UpstreamPools.announce(pools, log);
    }

    /**
     * Close every open connection to one upstream server (the admin API's {@code disable}), on the workers' threads.
     *
     * @param server the server.
     * @param reason the close reason to report, e.g. {@link io.tcpproxy.CloseReason#ADMIN_DISABLED}.
     * @return connections closed (those of a worker that did not answer within 5 s are not counted).
     */
    public int closeConnectionsTo(final UpstreamServer server, final io.tcpproxy.CloseReason reason)
    {
        int closed = 0;
        for (final WorkerCommand.CloseServerConnections command :
            workers.askEach(() -> new WorkerCommand.CloseServerConnections(server, reason)))
        {
            if (command.isDone())
            {
                closed += command.answer();
            }
        }
        return closed;
    }

    /**
     * Stop every thread, drain the metrics, release every socket and buffer.
     *
     * @param printFinalSummary whether the collector prints the final summary line.
     */
    public void stop(final boolean printFinalSummary)
    {
        listeners.closeAll();
        workers.stop();
        collector.beforeStop(); // closing its runner must not wait out a 100 ms park
        collectorRunner.close();
        collector.finish(printFinalSummary);
        workers.freeRings();
        if (resolver != null)
        {
            resolver.close();
        }
        UpstreamPools.closeAll(pools);
        log.close();
    }

    /** @return one worker (tests reach into it by reflection). */
    Worker worker(final int index)
    {
        return workers.workers()[index];
    }
}
