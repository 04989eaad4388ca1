package io.tcpproxy.engine;

import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.UpstreamFamilies;
import io.tcpproxy.upstream.AdminState;
import io.tcpproxy.upstream.CheckResult;
import io.tcpproxy.upstream.ConnectFailure;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Copies the upstream servers' counters into the metric cells, on the collector's thread before each snapshot. The
 * servers keep their own atomics (written by the workers and the health agents), so no ring message is needed.
 * <p>
 * After a reload: a server that stays is the same object, so its series go on; a removed server's series stay while
 * it has open connections (their bytes keep counting), then they are dropped, and come back with the same totals if
 * a later reload brings the address back (the engine remembers removed servers). Servers DNS no longer returns go
 * the same way. The retry count of a pool a reload
 * removed stays in the total.
 */
final class UpstreamMetrics
{
    private static final ConnectFailure[] FAILURES = ConnectFailure.values();
    private static final CheckResult[] CHECKS = CheckResult.values();

    private final Supplier<UpstreamPool[]> pools;
    /** Every server whose series are shown, with its label. */
    private final Map<UpstreamServer, String> labels = new HashMap<>();
    private final Map<String, Long> retriesByPool = new HashMap<>();
    private long retriesOfRemovedPools;

    /** @param pools the pools in force. */
    UpstreamMetrics(final Supplier<UpstreamPool[]> pools)
    {
        this.pools = pools;
    }

    /** @param registry the collector's registry: the cells of every server listed now (and kept after). */
    void update(final MetricsRegistry registry)
    {
        final UpstreamPool[] current = pools.get();
        if (current.length == 0 && labels.isEmpty())
        {
            return;
        }
        final Map<String, Long> seen = new HashMap<>();
        final Set<UpstreamServer> inForce = Collections.newSetFromMap(new IdentityHashMap<>());
        for (final UpstreamPool pool : current)
        {
            seen.put(pool.name(), pool.connectRetriesTotal());
            for (final UpstreamServer server : pool.servers())
            {
                inForce.add(server);
                publish(registry, server, pool.name(), pool.spec().healthCheck() != null);
            }
        }
        final Iterator<UpstreamServer> shown = labels.keySet().iterator();
        while (shown.hasNext())
        {
            final UpstreamServer server = shown.next();
            if (inForce.contains(server))
            {
                continue;
            }
            if (server.activeConnections() > 0)
            {
                publish(registry, server, server.pool(), false); // removed, connections open: their bytes count on
            }
            else
            {
                drop(registry, server, labels.get(server));
                shown.remove();
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

    /** Drop the series of a server no longer in any pool whose last connection ended. */
    private static void drop(final MetricsRegistry registry, final UpstreamServer server, final String label)
    {
        registry.remove(UpstreamFamilies.UP, label);
        registry.remove(UpstreamFamilies.DRAINING, label);
        registry.remove(UpstreamFamilies.CONNECTIONS_ACTIVE, label);
        registry.remove(UpstreamFamilies.CONNECTIONS_TOTAL, label);
        registry.remove(UpstreamFamilies.BYTES_SENT, label);
        registry.remove(UpstreamFamilies.BYTES_RECEIVED, label);
        for (final ConnectFailure failure : FAILURES)
        {
            registry.remove(UpstreamFamilies.CONNECT_FAILURES, label, failure.label());
        }
        for (final CheckResult result : CHECKS)
        {
            registry.remove(UpstreamFamilies.HEALTH_CHECKS, label, result.label());
        }
        registry.remove(UpstreamFamilies.POOL, label, server.pool());
    }

    private void publish(
        final MetricsRegistry registry, final UpstreamServer server, final String poolName, final boolean checked)
    {
        final String label = labelOf(server, poolName);
        final boolean adminOut = server.adminState() != AdminState.ENABLED;
        // up = takes new clients: healthy, not ejected, not drained or disabled by the admin API
        registry.cell(UpstreamFamilies.UP, label).set(server.isUp() && !adminOut && !server.isRetired() ? 1 : 0);
        registry.cell(UpstreamFamilies.DRAINING, label).set(adminOut ? 1 : 0);
        registry.cell(UpstreamFamilies.CONNECTIONS_ACTIVE, label).set(server.activeConnections());
        registry.cell(UpstreamFamilies.CONNECTIONS_TOTAL, label).set(server.connectionsTotal());
        registry.cell(UpstreamFamilies.BYTES_SENT, label).set(server.bytesSentTotal());
        registry.cell(UpstreamFamilies.BYTES_RECEIVED, label).set(server.bytesReceivedTotal());
        for (final ConnectFailure failure : FAILURES)
        {
            registry.cell(UpstreamFamilies.CONNECT_FAILURES, label, failure.label())
                .set(server.connectFailuresTotal(failure));
        }
        if (checked)
        {
            for (final CheckResult result : CHECKS)
            {
                registry.cell(UpstreamFamilies.HEALTH_CHECKS, label, result.label())
                    .set(server.healthChecksTotal(result));
            }
        }
        registry.cell(UpstreamFamilies.POOL, label, poolName).set(1);
    }

    /** The server's label, or {@code POOL/label} when an earlier pool already uses the plain one. */
    private String labelOf(final UpstreamServer server, final String poolName)
    {
        String label = labels.get(server);
        if (label == null)
        {
            label = labels.containsValue(server.label()) ? poolName + "/" + server.label() : server.label();
            labels.put(server, label);
        }
        return label;
    }
}
