package io.tcpproxy.engine;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.engine.admission.AccessGate;
import io.tcpproxy.engine.admission.Admission;
import io.tcpproxy.engine.admission.ClientAccessGate;
import io.tcpproxy.engine.admission.Descriptors;
import io.tcpproxy.engine.preamble.PreambleHandler;
import io.tcpproxy.engine.upstream.PoolSelector;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.engine.upstream.SingleTargetSelector;
import io.tcpproxy.engine.upstream.UpstreamSelector;
import io.tcpproxy.upstream.UpstreamPool;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every worker shares: settings resolved once, the global open-connection count (for max_connections and
 * draining), the descriptor budget, the log, and the resolved upstream address (refreshed off the relay threads).
 */
public final class EngineContext
{
    public final Config config;
    /**
     * Connections the descriptor limit holds (two descriptors each, headroom kept): when it is below
     * {@code max_connections}, accepting pauses at this many and new clients wait in the backlog, as when accept
     * itself fails with EMFILE.
     */
    final int descriptorFitConnections;
    final long busyPollNs;
    public final Descriptors descriptors;
    final EngineLog log;
    /** Makes each connection's preamble handler; null when connections relay from their first byte. */
    public final PreambleHandler.Factory preambles;
    /**
     * Access lists and per-client limits, shared by every worker: judged at accept, or (with accept_proxy_protocol)
     * by the preamble once the PROXY header names the real client; released at close by {@link Admission#release}.
     */
    public final ClientAccessGate access;
    /** The routing table every worker starts with. */
    public final RoutingTable initialRouting;
    /**
     * Judges the real client once a PROXY-protocol header named it: {@link #access} (tests may set another before the
     * workers start). Without such a header the admission part judges the socket peer at accept.
     */
    public AccessGate accessGate;
    public final AtomicInteger activeConnections = new AtomicInteger();
    /** Accept pauses of the acceptor thread ({@code accept_mode = "acceptor"}); workers count theirs in their ring. */
    public final AtomicLong acceptorPauses = new AtomicLong();
    /** Whether connections pick servers from pools (false: a {@code target_addr} host name, fixed at start). */
    public final boolean usesPools;
    private volatile InetSocketAddress target;
    /** The table last handed to the workers (for readers outside them; workers use their own). */
    private volatile RoutingTable latestRouting;

    EngineContext(
        final Config config,
        final InetSocketAddress target,
        final Descriptors descriptors,
        final EngineLog log,
        final PreambleHandler.Factory preambles)
    {
        this(config, target, descriptors, log, preambles, new UpstreamPool[0]);
    }

    EngineContext(
        final Config config,
        final InetSocketAddress target,
        final Descriptors descriptors,
        final EngineLog log,
        final PreambleHandler.Factory preambles,
        final UpstreamPool[] pools)
    {
        this.usesPools = pools.length > 0;
        this.config = config;
        this.descriptors = descriptors;
        this.descriptorFitConnections =
            descriptors.effectiveMaxConnections(Integer.MAX_VALUE, config.effectiveWorkers());
        this.busyPollNs = TimeUnit.MICROSECONDS.toNanos(config.busyPollUs());
        this.log = log;
        this.preambles = preambles;
        this.access = ClientAccessGate.of(config);
        this.accessGate = access;
        this.target = target;
        this.initialRouting = RoutingTable.of(config, pools);
        this.latestRouting = initialRouting;
    }

    /** @return the most connections open at once: {@code max_connections}, or fewer if descriptors run out first. */
    int effectiveMaxConnections()
    {
        return Math.min(latestRouting.maxConnections, descriptorFitConnections);
    }

    /**
     * Before accepting a client: reserve its two descriptors (see {@link Descriptors#tryReserve}); whoever admits it
     * passes the reservation on to its connection, or releases it if the client is not accepted or refused.
     *
     * @param maxConnections {@code max_connections} in force for the asking thread.
     * @return whether a new client's two descriptors are reserved (otherwise accepting pauses). Only a descriptor
     *     cap below {@code max_connections} pauses; at {@code max_connections} itself clients are rejected as
     *     configured.
     */
    public boolean reserveDescriptorsForOneMore(final int maxConnections)
    {
        final int active = activeConnections.get();
        final boolean underCap = descriptorFitConnections >= maxConnections ||
            active + descriptors.reserved() < descriptorFitConnections; // clients on their way to a peer count too
        return underCap && descriptors.tryReserve();
    }

    /** @return the routing table last handed to the workers. */
    public RoutingTable latestRouting()
    {
        return latestRouting;
    }

    /** @param table the table just handed to the workers. */
    void latestRouting(final RoutingTable table)
    {
        this.latestRouting = table;
    }

    /**
     * @return the pool a connection goes to unless a preamble (SNI routing) says otherwise: {@code default} without
     * routes, else {@code sni_default_pool} (when it has servers); its position in {@code Config.pools()} order.
     */
    public static int defaultPoolIndex(final Config config)
    {
        final String name = config.routes().isEmpty() || config.sniDefaultPool().isEmpty() ?
            Upstream.DEFAULT_POOL : config.sniDefaultPool();
        int index = 0;
        for (final String pool : config.pools().keySet())
        {
            if (pool.equals(name))
            {
                return index;
            }
            index++;
        }
        return 0;
    }

    /** @return a worker's own selector: over the pools, or the single {@code target_addr} name without them. */
    UpstreamSelector newSelector()
    {
        return usesPools ? new PoolSelector() : new SingleTargetSelector(this);
    }

    /** @return the upstream address, possibly unresolved if its name did not resolve at the last attempt. */
    public InetSocketAddress target()
    {
        return target;
    }

    /** @param target a freshly resolved upstream address. */
    public void target(final InetSocketAddress target)
    {
        this.target = target;
    }
}
