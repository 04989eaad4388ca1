package io.tcpproxy.engine;

import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.UpstreamFamilies;
import io.tcpproxy.upstream.AdminState;
import io.tcpproxy.upstream.CheckResult;
import io.tcpproxy.upstream.ConnectFailure;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.util.HashMap;
import java.util.Map;

/**
 * Copies the upstream servers' counters into the metric cells, on the collector's thread before each snapshot. The
 * servers keep their own atomics (written by the workers and the health agents), so no ring message is needed.
 */
final class UpstreamMetrics
{
    private static final ConnectFailure[] FAILURES = ConnectFailure.values();
    private static final CheckResult[] CHECKS = CheckResult.values();

    private final UpstreamPool[] pools;
    private final Map<UpstreamServer, String> labels = new HashMap<>();

    UpstreamMetrics(final UpstreamPool[] pools)
    {
        this.pools = pools.clone();
    }

    /** @param registry the collector's registry: the cells of every server listed now (and kept after). */
    void update(final MetricsRegistry registry)
    {
        if (pools.length == 0)
        {
            return;
        }
        long retries = 0;
        for (final UpstreamPool pool : pools)
        {
            retries += pool.connectRetriesTotal();
            for (final UpstreamServer server : pool.servers())
            {
                final String label = labelOf(server, pool);
                final boolean adminOut = server.adminState() != AdminState.ENABLED;
                // up = takes new clients: healthy, not ejected, not drained or disabled by the admin API
                registry.cell(UpstreamFamilies.UP, label).set(server.isUp() && !adminOut ? 1 : 0);
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
                if (pool.spec().healthCheck() != null)
                {
                    for (final CheckResult result : CHECKS)
                    {
                        registry.cell(UpstreamFamilies.HEALTH_CHECKS, label, result.label())
                            .set(server.healthChecksTotal(result));
                    }
                }
                registry.cell(UpstreamFamilies.POOL, label, pool.name()).set(1);
            }
        }
        registry.cell(UpstreamFamilies.CONNECT_RETRIES).set(retries);
    }

    /** The server's label, or {@code POOL/label} when an earlier pool already uses the plain one. */
    private String labelOf(final UpstreamServer server, final UpstreamPool pool)
    {
        String label = labels.get(server);
        if (label == null)
        {
            label = labels.containsValue(server.label()) ? pool.name() + "/" + server.label() : server.label();
            labels.put(server, label);
        }
        return label;
    }
}
