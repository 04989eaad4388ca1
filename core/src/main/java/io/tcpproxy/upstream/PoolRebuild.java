package io.tcpproxy.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The pools of a reload, built from the new specs next to the running pools: a pool whose spec did not change is
 * the same object (its agent, DNS schedule and balancer state go on); any other is a new pool that takes over every
 * server whose address stays (same object: health, admin state, active connections and counters carry over, the
 * settings come from the new spec). Servers no longer configured are {@link #removed()}: after {@link #commit()}
 * they take no new clients; their open connections run on.
 * <p>
 * {@link #prepare} has no visible effect on the running pools but for the settings of kept servers (weight,
 * backup, max_connections), which change in place; {@link #commit()} starts the new pools' agents (before the
 * workers switch, so checks go on without a gap) and retires the removed servers; {@link #retireOld()} stops the
 * agents of the pools replaced, once no worker hands them new clients.
 */
public final class PoolRebuild
{
    private final UpstreamPool[] pools;
    private final List<UpstreamPool> replaced = new ArrayList<>();
    private final List<UpstreamPool> created = new ArrayList<>();
    private final List<UpstreamServer> removed = new ArrayList<>();
    private final List<String> changes = new ArrayList<>();

    private PoolRebuild(final UpstreamPool[] pools)
    {
        this.pools = pools;
    }

    /**
     * Build the pools of {@code specs}, taking over the servers of {@code running} (and of {@code departed}: servers
     * an earlier reload removed, brought back with their counters when their address returns).
     *
     * @param running  the pools in force.
     * @param specs    the new pools, in the new configuration's order.
     * @param departed servers removed earlier and still remembered.
     * @param listener told of every state change of the new pools.
     * @return the rebuild, not committed yet.
     */
    public static PoolRebuild prepare(
        final List<UpstreamPool> running,
        final List<PoolSpec> specs,
        final List<UpstreamServer> departed,
        final UpstreamListener listener)
    {
        final UpstreamPool[] pools = new UpstreamPool[specs.size()];
        final PoolRebuild rebuild = new PoolRebuild(pools);
        final Resolver resolver = running.isEmpty() ? Resolver.SYSTEM : running.get(0).resolver();
        final Set<UpstreamServer> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        int added = 0;
        int reweighted = 0;
        int resized = 0;
        try
        {
            for (int i = 0; i < specs.size(); i++)
            {
                final PoolSpec spec = specs.get(i);
                final UpstreamPool old = find(running, spec.name());
                if (old != null && old.spec().equals(spec))
                {
                    pools[i] = old;
                    kept.addAll(old.servers());
                    continue;
                }
                final List<UpstreamServer> reusable = new ArrayList<>();
                final List<ServerSpec> before = new ArrayList<>();
                if (old != null)
                {
                    reusable.addAll(old.servers());
                    rebuild.describe(old.spec(), spec);
                }
                else
                {
                    rebuild.changes.add("+pool " + spec.name());
                }
                for (final UpstreamServer server : departed)
                {
                    if (server.pool().equals(spec.name()) && !reusable.contains(server))
                    {
                        reusable.add(server);
                    }
                }
                for (final UpstreamServer server : reusable)
                {
                    before.add(server.settings());
                }
                final UpstreamPool pool = UpstreamPool.rebuild(spec, resolver,
                    old == null ? System::nanoTime : old.nanoClock(), listener,
                    reusable.toArray(new UpstreamServer[0]), old);
                pools[i] = pool;
                rebuild.created.add(pool);
                if (old != null)
                {
                    rebuild.replaced.add(old);
                }
                for (final UpstreamServer server : pool.servers())
                {
                    kept.add(server);
                    final int index = reusable.indexOf(server);
                    final boolean known = old != null && old.servers().contains(server);
                    if (!known)
                    {
                        added++;
                        continue;
                    }
                    final ServerSpec was = before.get(index);
                    reweighted += was.weight() != server.weight() ? 1 : 0;
                    final boolean limitsChanged =
                        was.backup() != server.backup() || was.maxConnections() != server.maxConnections();
                    resized += limitsChanged ? 1 : 0;
                    if (spec.healthCheck() == null)
                    {
                        server.healthy(true); // no checks any more: nothing would ever bring a down server back
                    }
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final UpstreamPool pool : rebuild.created)
            {
                pool.close();
            }
            throw ex;
        }
        for (final UpstreamPool old : running)
        {
            if (findSpec(specs, old.name()) == null)
            {
                rebuild.replaced.add(old);
                rebuild.changes.add("-pool " + old.name());
            }
            for (final UpstreamServer server : old.servers())
            {
                if (!kept.contains(server))
                {
                    rebuild.removed.add(server);
                }
            }
        }
        rebuild.summarize(added, reweighted, resized);
        return rebuild;
    }

    private void describe(final PoolSpec before, final PoolSpec after)
    {
        if (before.balance() != after.balance())
        {
            changes.add("balance changed for pool " + after.name());
        }
        if (!Objects.equals(before.healthCheck(), after.healthCheck()))
        {
            changes.add("health check changed for pool " + after.name());
        }
        if (!before.passiveHealth().equals(after.passiveHealth()))
        {
            changes.add("passive health changed for pool " + after.name());
        }
    }

    private void summarize(final int added, final int reweighted, final int resized)
    {
        final List<String> servers = new ArrayList<>();
        if (added > 0)
        {
            servers.add("+" + added + (added == 1 ? " server" : " servers"));
        }
        if (!removed.isEmpty())
        {
            servers.add("-" + removed.size() + (removed.size() == 1 ? " server" : " servers"));
        }
        if (reweighted > 0)
        {
            servers.add("weights changed for " + reweighted);
        }
        if (resized > 0)
        {
            servers.add("backup/max_connections changed for " + resized);
        }
        changes.addAll(0, servers);
    }

    private static UpstreamPool find(final List<UpstreamPool> pools, final String name)
    {
        for (final UpstreamPool pool : pools)
        {
            if (pool.name().equals(name))
            {
                return pool;
            }
        }
        return null;
    }

    private static PoolSpec findSpec(final List<PoolSpec> specs, final String name)
    {
        for (final PoolSpec spec : specs)
        {
            if (spec.name().equals(name))
            {
                return spec;
            }
        }
        return null;
    }

    /** @return the pools in the new configuration's order. */
    public UpstreamPool[] pools()
    {
        return pools.clone();
    }

    /** @return servers of the running pools that the new configuration no longer has. */
    public List<UpstreamServer> removed()
    {
        return List.copyOf(removed);
    }

    /** @return what changed, for the reload line: {@code +1 server}, {@code weights changed for 2}, ... */
    public List<String> changes()
    {
        return List.copyOf(changes);
    }

    /** Start the new pools' agents and take the removed servers out of rotation. */
    public void commit()
    {
        for (final UpstreamPool pool : created)
        {
            pool.start();
        }
        for (final UpstreamServer server : removed)
        {
            server.retire();
        }
    }

    /** Stop the agents of the pools replaced (their servers' figures stay readable). */
    public void retireOld()
    {
        for (final UpstreamPool pool : replaced)
        {
            pool.close();
        }
    }

    /** Undo {@link #prepare}: the new pools are dropped unstarted. */
    public void abandon()
    {
        for (final UpstreamPool pool : created)
        {
            pool.close();
        }
    }
}
