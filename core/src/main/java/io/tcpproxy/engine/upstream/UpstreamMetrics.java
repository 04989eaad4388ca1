package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.metrics.Families;
import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.UpstreamFamilies;
import io.tcpproxy.upstream.AdminState;
import io.tcpproxy.upstream.CheckResult;
import io.tcpproxy.upstream.ConnectFailure;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Copies the upstream servers' counters into the metric cells, on the collector's thread before each snapshot. The
 * servers keep their own atomics (written by the workers and the health agents), so no ring message is needed.
 * Every series is labelled {@code {upstream,pool}}; a {@code target_addr} host name (no pool: one try per client)
 * shows its connect failures under its own label in the {@code default} pool.
 * <p>
 * After a reload: a server that stays is the same object, so its series go on; a removed server's series stay while
 * it has open connections (their bytes keep counting), then they are dropped, and come back with the same totals if
 * a later reload brings the address back (the engine remembers removed servers). Servers DNS no longer returns go
 * the same way. The retry count of a pool a reload removed stays in the total.
 */
public final class UpstreamMetrics
{
    private static final ConnectFailure[] FAILURES = ConnectFailure.values();
    private static final CheckResult[] CHECKS = CheckResult.values();
    private static final CloseReason[] REASONS = CloseReason.values();

    private final Supplier<UpstreamPool[]> pools;
    private final String targetLabel;
    /** Every server whose series are shown, with its {@code upstream} label (its pool is {@code server.pool()}). */
    private final Map<UpstreamServer, String> shown = new IdentityHashMap<>();
    private final Map<String, Long> retriesByPool = new HashMap<>();
    private long retriesOfRemovedPools;

    /**
     * @param pools       the pools in force, in configuration order; empty for a {@code target_addr} host name.
     * @param targetLabel that host name's {@code HOST:PORT} as configured, when there are no pools (else unused).
     */
    public UpstreamMetrics(final Supplier<UpstreamPool[]> pools, final String targetLabel)
    {
        this.pools = pools;
        this.targetLabel = targetLabel;
    }

    /** @param registry the collector's registry: the cells of every server listed now (and kept after). */
    public void update(final MetricsRegistry registry)
    {
        final UpstreamPool[] current = pools.get();
        if (current.length == 0 && shown.isEmpty())
        {
            updateSingleTarget(registry);
            return;
        }
        final Map<String, Long> seen = new HashMap<>();
        final Map<UpstreamServer, Boolean> inForce = new IdentityHashMap<>();
        for (final UpstreamPool pool : current)
        {
            seen.put(pool.name(), pool.connectRetriesTotal());
            final List<UpstreamServer> servers = pool.servers();
            for (int i = 0, n = servers.size(); i < n; i++)
            {
                final UpstreamServer server = servers.get(i);
                inForce.put(server, Boolean.TRUE);
                final String label = labelOf(servers, i);
                final String before = shown.put(server, label);
                if (before != null && !before.equals(label))
                {
                    drop(registry, server, before); // its position among equal labels changed
                }
                publish(registry, server, label, pool.spec().healthCheck() != null);
            }
        }
        final Iterator<Map.Entry<UpstreamServer, String>> all = shown.entrySet().iterator();
        while (all.hasNext())
        {
            final Map.Entry<UpstreamServer, String> entry = all.next();
            if (inForce.containsKey(entry.getKey()))
            {
                continue;
            }
            if (entry.getKey().activeConnections() > 0)
            {
                publish(registry, entry.getKey(), entry.getValue(), false); // removed, still relaying: bytes count on
            }
            else
            {
                drop(registry, entry.getKey(), entry.getValue());
                all.remove();
            }
        }
        for (final Map.Entry<String, Long> pool : retriesByPool.entrySet())
        {
            if (!seen.containsKey(pool.getKey()))
            {
                retriesOfRemovedPools += pool.getValue();
            }
        }
        retriesByPool.clear();
        retriesByPool.putAll(seen);
        long retries = retriesOfRemovedPools;
        for (final long count : seen.values())
        {
            retries += count;
        }
        registry.cell(UpstreamFamilies.CONNECT_RETRIES).set(retries);
    }

    private static void publish(
        final MetricsRegistry registry, final UpstreamServer server, final String label, final boolean checked)
    {
        final String poolName = server.pool();
        final boolean adminOut = server.adminState() != AdminState.ENABLED;
        // up = takes new clients: healthy, not ejected, not drained or disabled by the admin API, not removed
        registry.cell(UpstreamFamilies.UP, label, poolName)
            .set(server.isUp() && !adminOut && !server.isRetired() ? 1 : 0);
        registry.cell(UpstreamFamilies.DRAINING, label, poolName).set(adminOut ? 1 : 0);
        registry.cell(UpstreamFamilies.CONNECTIONS_ACTIVE, label, poolName).set(server.activeConnections());
        registry.cell(UpstreamFamilies.CONNECTIONS_TOTAL, label, poolName).set(server.connectionsTotal());
        registry.cell(UpstreamFamilies.BYTES_SENT, label, poolName).set(server.bytesSentTotal());
        registry.cell(UpstreamFamilies.BYTES_RECEIVED, label, poolName).set(server.bytesReceivedTotal());
        for (final ConnectFailure failure : FAILURES)
        {
            registry.cell(UpstreamFamilies.CONNECT_FAILURES, label, poolName, failure.label())
                .set(server.connectFailuresTotal(failure));
        }
        if (checked)
        {
            for (final CheckResult result : CHECKS)
            {
                registry.cell(UpstreamFamilies.HEALTH_CHECKS, label, poolName, result.label())
                    .set(server.healthChecksTotal(result));
            }
        }
    }

    /** Drop the series of a server no longer in any pool whose last connection ended. */
    private static void drop(final MetricsRegistry registry, final UpstreamServer server, final String label)
    {
        final String poolName = server.pool();
        registry.remove(UpstreamFamilies.UP, label, poolName);
        registry.remove(UpstreamFamilies.DRAINING, label, poolName);
        registry.remove(UpstreamFamilies.CONNECTIONS_ACTIVE, label, poolName);
        registry.remove(UpstreamFamilies.CONNECTIONS_TOTAL, label, poolName);
        registry.remove(UpstreamFamilies.BYTES_SENT, label, poolName);
        registry.remove(UpstreamFamilies.BYTES_RECEIVED, label, poolName);
        for (final ConnectFailure failure : FAILURES)
        {
            registry.remove(UpstreamFamilies.CONNECT_FAILURES, label, poolName, failure.label());
        }
        for (final CheckResult result : CHECKS)
        {
            registry.remove(UpstreamFamilies.HEALTH_CHECKS, label, poolName, result.label());
        }
    }

    /**
     * One try per client, so the clients' connect failures (counted from the workers' rings) are the target's; the
     * reasons include {@code connect_unresolved}, which only a host name resolved per connect can have.
     */
    private void updateSingleTarget(final MetricsRegistry registry)
    {
        if (targetLabel == null)
        {
            return;
        }
        for (final CloseReason reason : REASONS)
        {
            if (reason.isConnectFailure())
            {
                final long clients = registry.cell(Families.UPSTREAM_CONNECT_FAILURES, reason.label()).value();
                registry.cell(UpstreamFamilies.CONNECT_FAILURES, targetLabel, Upstream.DEFAULT_POOL, reason.label())
                    .set(clients);
            }
        }
    }

    /**
     * The server's label; the same server listed twice in one pool gets {@code #2}, {@code #3}... on its later
     * entries, by position, so each entry keeps its series for the life of the pool.
     */
    private static String labelOf(final List<UpstreamServer> servers, final int index)
    {
        final String label = servers.get(index).label();
        int occurrence = 1;
        for (int i = 0; i < index; i++)
        {
            if (servers.get(i).label().equals(label))
            {
                occurrence++;
            }
        }
        return occurrence == 1 ? label : label + "#" + occurrence;
    }
}
