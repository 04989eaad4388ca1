package io.tcpproxy.engine.upstream;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.Route;
import io.tcpproxy.engine.CommandQueue;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.WorkerCommand;
import io.tcpproxy.engine.admission.AccessGate;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.protocol.SniRouter;
import io.tcpproxy.upstream.UpstreamPool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Everything a reload may change about how a new connection is served, frozen in one immutable object. The engine
 * builds one per applied configuration and hands it to every worker through its {@link CommandQueue}
 * ({@link WorkerCommand.SwapRouting}); a connection takes the worker's table when it is admitted and keeps it for
 * its whole life ({@link Connection#routing}), so it never sees a mix of two configurations: the pools it picks
 * servers from (and retries in), its SNI routes, its limits and timeouts.
 */
public final class RoutingTable
{
    /** The configuration this table was built from (its reloadable keys are in force). */
    final Config config;
    /** {@code max_connections}: a connection beyond it is accepted and closed at once (rejected). */
    public final int maxConnections;
    final long connectTimeoutNs;
    /** {@code idle_timeout_secs} in ns, 0 = never. */
    public final long idleTimeoutNs;
    /** Who may connect: allow/deny lists and per-client limits; {@link AccessGate#OPEN} until the access wiring. */
    final AccessGate access;
    /** The pools in {@code Config.pools()} order ({@link Connection#poolIndex} indexes them); empty for a name. */
    public final UpstreamPool[] pools;
    /** The pool a connection goes to unless its SNI route says otherwise. */
    public final int defaultPoolIndex;
    /** The SNI routes as pool indices, or null when there are none (nothing is peeked). */
    public final SniRouter<Integer> router;
    /** {@code sni_default_pool}'s index, or -1 ("": close with {@code no_route}). */
    public final int sniDefaultPool;
    public final long peekTimeoutNs;
    public final int peekMaxBytes;

    private RoutingTable(final Config config, final AccessGate access, final UpstreamPool[] pools)
    {
        this.config = config;
        this.maxConnections = config.maxConnections();
        this.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs());
        this.idleTimeoutNs = TimeUnit.SECONDS.toNanos(config.idleTimeoutSecs());
        this.access = access;
        this.pools = pools.clone();
        this.defaultPoolIndex = EngineContext.defaultPoolIndex(config);
        this.peekTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.sniPeekTimeoutMs());
        this.peekMaxBytes = config.sniPeekMaxBytes();
        if (config.routes().isEmpty())
        {
            this.router = null;
            this.sniDefaultPool = -1;
        }
        else
        {
            final List<String> poolNames = new ArrayList<>(config.pools().keySet());
            final SniRouter.Builder<Integer> builder = SniRouter.builder();
            for (final Route route : config.routes())
            {
                final int pool = poolNames.indexOf(route.pool());
                if (pool < 0)
                {
                    throw new IllegalArgumentException("route to an unknown pool: " + route.pool());
                }
                builder.route(route.sni(), route.alpn(), pool);
            }
            final String defaultName = config.sniDefaultPool();
            this.sniDefaultPool = defaultName == null || defaultName.isEmpty() ? -1 : poolNames.indexOf(defaultName);
            this.router = builder.build(sniDefaultPool < 0 ? null : sniDefaultPool);
        }
    }

    /**
     * @param config validated settings.
     * @return the table of the settings' reloadable parts, without pools (a {@code target_addr} name).
     */
    static RoutingTable of(final Config config)
    {
        return of(config, new UpstreamPool[0]);
    }

    /**
     * @param config validated settings.
     * @param pools  the pools built from them, in {@code Config.pools()} order.
     * @return the table of the settings' reloadable parts.
     * @throws IllegalArgumentException when a route names a pool that has no server.
     */
    public static RoutingTable of(final Config config, final UpstreamPool[] pools)
    {
        return new RoutingTable(config, AccessGate.OPEN, pools);
    }
}
