package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.AccessFamilies;
import io.tcpproxy.metrics.Families;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricFamily;
import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.metrics.UpstreamFamilies;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built snapshots with distinct, recognisable values.
 */
final class Snapshots
{
    static final double[] DURATION_BOUNDS_SECS = {0.001, 0.01, 0.1, 1, 10, 60, 300};
    static final double[] CONNECT_BOUNDS_SECS = {0.0001, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5};
    /** The per-worker families in the order {@link #traffic} takes them. */
    private static final List<MetricFamily> WORKER_FAMILIES = List.of(Families.WORKER_CONNECTIONS_ACTIVE,
        Families.WORKER_CONNECTIONS_TOTAL, Families.WORKER_BYTES_UPSTREAM, Families.WORKER_BYTES_DOWNSTREAM);

    private Snapshots()
    {
    }

    static MetricsSnapshot sample(final boolean clientLabels, final boolean draining)
    {
        return withClients(clientLabels, draining, List.of(
            new TrafficStats("10.0.0.7", 2, 9, 7_000_000_000L, 1_234),
            new TrafficStats("192.168.1.20", 1, 4, 4_096, 65_536),
            new TrafficStats("2001:db8::1", 0, 1, 10, 20)));
    }

    static MetricsSnapshot withClients(
        final boolean clientLabels, final boolean draining, final List<TrafficStats> clients)
    {
        return registry(clientLabels, draining, clients).snapshot(1_700_000_000_123L, 12_345);
    }

    /** The sample with other totals, taken at another time (for rates). */
    static MetricsSnapshot withTotals(
        final long timestampMs, final long uptimeMs, final long totalConnections, final long up, final long down)
    {
        final MetricsRegistry registry = registry(true, false, List.of());
        registry.cell(Families.CONNECTIONS_TOTAL).set(totalConnections);
        registry.cell(Families.BYTES_UPSTREAM).set(up);
        registry.cell(Families.BYTES_DOWNSTREAM).set(down);
        return registry.snapshot(timestampMs, uptimeMs);
    }

    private static MetricsRegistry registry(
        final boolean clientLabels, final boolean draining, final List<TrafficStats> clients)
    {
        final MetricsRegistry registry = Families.newRegistry(clientLabels);
        registry.cell(Families.CONNECTIONS_ACTIVE).set(3);
        registry.cell(Families.CONNECTIONS_TOTAL).set(42);
        registry.cell(Families.BYTES_UPSTREAM).set(1_048_576);
        registry.cell(Families.BYTES_DOWNSTREAM).set(2_097_152);
        registry.cell(Families.CONNECTIONS_REJECTED, RejectReason.MAX_CONNECTIONS.label()).set(2);
        registry.cell(Families.CONNECTIONS_REJECTED, RejectReason.DENIED.label()).set(3);
        registry.cell(AccessFamilies.CONNECTIONS_REJECTED_ALL).set(5);
        for (final CloseReason reason : CloseReason.values())
        {
            registry.cell(Families.CONNECTIONS_CLOSED, reason.label()).set(100 + reason.ordinal());
        }
        for (final CloseReason reason : CloseReason.values())
        {
            if (reason.isConnectFailure())
            {
                registry.cell(Families.UPSTREAM_CONNECT_FAILURES, reason.label()).set(200 + reason.ordinal());
            }
        }
        registry.cell(Families.METRICS_RING_FULL).set(7);
        registry.cell(Families.ACCEPT_PAUSES).set(11);
        registry.cell(Families.RELAY_BUFFER_BYTES).set(16_384);
        registry.cell(Families.RELAY_BUFFER_HIGH_WATER_BYTES).set(65_536);
        registry.cell(Families.RELAY_BUFFER_LIMIT_BYTES).set(134_217_728);
        registry.cell(Families.DRAINING).set(draining ? 1 : 0);
        registry.cell(Families.UPTIME).setDouble(12.345);
        traffic(registry, WORKER_FAMILIES,
            List.of(new TrafficStats("0", 2, 30, 1_000_000, 2_000_000), new TrafficStats("1", 1, 12, 48_576, 97_152)));
        registry.cell(Families.CONNECTION_DURATION).setHistogram(
            new HistogramSnapshot(DURATION_BOUNDS_SECS, new long[]{1, 3, 3, 10, 20, 30, 38}, 39, 123.25));
        registry.cell(Families.UPSTREAM_CONNECT_TIME).setHistogram(
            new HistogramSnapshot(CONNECT_BOUNDS_SECS, new long[]{0, 5, 20, 30, 35, 40, 40, 41}, 41, 0.0425));
        upstreams(registry);
        final List<TrafficStats> withOther = new ArrayList<>(clients);
        withOther.add(new TrafficStats("other", 0, 28, 13, 17));
        traffic(registry, Families.CLIENTS, withOther);
        return registry;
    }

    /** Two servers of pool {@code db}, the first also in pool {@code spare}; the second refused 3 tries. */
    private static void upstreams(final MetricsRegistry registry)
    {
        final String[][] servers = {{"10.0.0.1:5432", "db"}, {"10.0.0.2:5432", "db"}, {"10.0.0.1:5432", "spare"}};
        for (int i = 0; i < servers.length; i++)
        {
            final String[] server = servers[i];
            registry.cell(UpstreamFamilies.UP, server).set(i == 1 ? 0 : 1);
            registry.cell(UpstreamFamilies.CONNECTIONS_TOTAL, server).set(i == 0 ? 9 : 0);
            for (final String reason : List.of("connect_refused", "connect_timeout", "connect_error"))
            {
                registry.cell(UpstreamFamilies.CONNECT_FAILURES, server[0], server[1], reason)
                    .set(i == 1 && reason.equals("connect_refused") ? 3 : 0);
            }
        }
        registry.cell(UpstreamFamilies.CONNECT_RETRIES).set(3);
    }

    /**
     * Sets each row's four figures (active, total, bytes up, bytes down) in {@code families}, given in that order
     * (as {@link Families#CLIENTS} is).
     */
    static void traffic(
        final MetricsRegistry registry, final List<MetricFamily> families, final List<TrafficStats> rows)
    {
        for (final TrafficStats row : rows)
        {
            final long[] figures = {row.activeConnections(), row.totalConnections(), row.bytesUpstream(),
                row.bytesDownstream()};
            for (int i = 0; i < figures.length; i++)
            {
                registry.cell(families.get(i), row.name()).set(figures[i]);
            }
        }
    }

    static MetricsSnapshot manyClients(final int count)
    {
        final List<TrafficStats> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            clients.add(new TrafficStats(
                "10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 1, i, i * 10L, i * 20L));
        }
        return withClients(true, false, clients);
    }

    static MetricsSnapshot empty()
    {
        return Families.newRegistry(true).snapshot(0, 0);
    }
}
