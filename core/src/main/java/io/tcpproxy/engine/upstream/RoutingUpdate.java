package io.tcpproxy.engine.upstream;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.Pool;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.upstream.PoolRebuild;
import io.tcpproxy.upstream.PoolSpec;
import io.tcpproxy.upstream.UpstreamListener;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A reload's new routing table, built and validated completely next to the running one (new pools taking over the
 * servers that stay, the SNI routes, the limits) but not in force yet: {@link Engine#applyRouting(RoutingUpdate)}
 * hands it to the workers, {@link #abandon()} drops it. Built by {@link Engine#prepareRouting(Config)}.
 */
public final class RoutingUpdate
{
    /** Removed servers remembered so that an address that comes back keeps its counters; the oldest are forgotten. */
    static final int MAX_DEPARTED = 1024;

    public final RoutingTable table;
    public final PoolRebuild rebuild;
    public final RemovedServerDrain drain;
    public final UpstreamServer[] departed;
    private final List<String> changes;

    private RoutingUpdate(
        final RoutingTable table, final PoolRebuild rebuild, final RemovedServerDrain drain,
        final UpstreamServer[] departed, final List<String> changes)
    {
        this.table = table;
        this.rebuild = rebuild;
        this.drain = drain;
        this.departed = departed;
        this.changes = changes;
    }

    public static RoutingUpdate prepare(
        final Config applied,
        final boolean usesPools,
        final UpstreamPool[] running,
        final UpstreamServer[] departed,
        final UpstreamListener listener)
    {
        if (!usesPools)
        {
            return new RoutingUpdate(RoutingTable.of(applied), null, RemovedServerDrain.NONE, departed, List.of());
        }
        final List<PoolSpec> specs = new ArrayList<>();
        for (final Pool pool : applied.pools().values())
        {
            specs.add(UpstreamPools.spec(applied, pool)); // validates every pool before anything is built
        }
        final PoolRebuild rebuild = PoolRebuild.prepare(List.of(running), specs, List.of(departed), listener);
        final RoutingTable table;
        try
        {
            table = RoutingTable.of(applied, rebuild.pools());
        }
        catch (final RuntimeException ex)
        {
            rebuild.abandon();
            throw ex;
        }
        final List<UpstreamServer> inForce = new ArrayList<>();
        for (final UpstreamPool pool : table.pools)
        {
            inForce.addAll(pool.servers());
        }
        final List<UpstreamServer> gone = new ArrayList<>();
        for (final UpstreamServer server : concat(departed, rebuild.removed()))
        {
            if (!containsSame(inForce, server) && !containsSame(gone, server))
            {
                gone.add(server);
            }
        }
        while (gone.size() > MAX_DEPARTED)
        {
            gone.remove(0);
        }
        final List<UpstreamServer> draining = new ArrayList<>();
        for (final UpstreamServer server : gone)
        {
            if (server.activeConnections() > 0)
            {
                draining.add(server);
            }
        }
        final RemovedServerDrain drain = new RemovedServerDrain(draining.toArray(new UpstreamServer[0]),
            TimeUnit.SECONDS.toNanos(applied.removedServerDrainSecs()));
        return new RoutingUpdate(table, rebuild, drain, gone.toArray(new UpstreamServer[0]), rebuild.changes());
    }

    private static List<UpstreamServer> concat(final UpstreamServer[] first, final List<UpstreamServer> second)
    {
        final List<UpstreamServer> all = new ArrayList<>(Arrays.asList(first));
        all.addAll(second);
        return all;
    }

    private static boolean containsSame(final List<UpstreamServer> servers, final UpstreamServer wanted)
    {
        for (final UpstreamServer server : servers)
        {
            if (server == wanted)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return what the update changes about the servers and pools, for the reload line ({@code +1 server},
     * {@code -1 server}, {@code weights changed for 2}, {@code health check changed for pool default}, ...).
     */
    public List<String> changes()
    {
        return List.copyOf(changes);
    }

    /** Drop an update that will not be applied: the pools it built are closed unstarted. */
    public void abandon()
    {
        if (rebuild != null)
        {
            rebuild.abandon();
        }
    }
}
