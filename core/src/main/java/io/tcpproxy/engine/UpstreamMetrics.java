package io.tcpproxy.engine;

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

import java.util.List;

/**
 * Copies the upstream servers' counters into the metric cells, on the collector's thread before each snapshot. The
 * servers keep their own atomics (written by the workers and the health agents), so no ring message is needed.
 * Every series is labelled {@code {upstream,pool}}; a {@code target_addr} host name (no pool: one try per client)
 * shows its connect failures under its own label in the {@code default} pool.
 */
final class UpstreamMetrics
{
    private static final ConnectFailure[] FAILURES = ConnectFailure.values();
    private static final CheckResult[] CHECKS = CheckResult.values();
    private static final CloseReason[] REASONS = CloseReason.values();

    private final UpstreamPool[] pools;
    private final String targetLabel;

    /**
     * @param pools       the pools, in configuration order; empty for a {@code target_addr} host name.
     * @param targetLabel that host name's {@code HOST:PORT} as configured, when {@code pools} is empty (else unused).
     */
    UpstreamMetrics(final UpstreamPool[] pools, final String targetLabel)
    {
        this.pools = pools.clone();
        this.targetLabel = targetLabel;
    }

    /** @param registry the collector's registry: the cells of every server listed now (and kept after). */
    void update(final MetricsRegistry registry)
    {
        if (pools.length == 0)
        {
            updateSingleTarget(registry);
            return;
        }
        long retries = 0;
        for (final UpstreamPool pool : pools)
        {
            retries += pool.connectRetriesTotal();
            final String poolName = pool.name();
            final List<UpstreamServer> servers = pool.servers();
            for (int i = 0, n = servers.size(); i < n; i++)
            {
                final UpstreamServer server = servers.get(i);
                final String label = labelOf(servers, i);
                final boolean adminOut = server.adminState() != AdminState.ENABLED;
                // up = takes new clients: healthy, not ejected, not drained or disabled by the admin API
                registry.cell(UpstreamFamilies.UP, label, poolName).set(server.isUp() && !adminOut ? 1 : 0);
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
                if (pool.spec().healthCheck() != null)
                {
                    for (final CheckResult result : CHECKS)
                    {
                        registry.cell(UpstreamFamilies.HEALTH_CHECKS, label, poolName, result.label())
                            .set(server.healthChecksTotal(result));
                    }
                }
            }
        }
        registry.cell(UpstreamFamilies.CONNECT_RETRIES).set(retries);
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
