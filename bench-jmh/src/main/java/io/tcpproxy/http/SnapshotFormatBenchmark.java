package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.bench.jmh.AbstractBenchmark;
import io.tcpproxy.metrics.AccessFamilies;
import io.tcpproxy.metrics.Families;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricFamily;
import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.metrics.TrafficStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;

/**
 * Rendering one metrics snapshot for a scrape, as the HTTP responder does when a snapshot is new: into a reused
 * {@link StringBuilder}, and for the {@code Bytes} variants on into the reused UTF-8 body array. The snapshot is a
 * busy proxy's: 2 workers, 20 client IPs with per-client series exported, every close reason and both histograms
 * populated. The responder renders a snapshot once and serves it to every scrape until the next one (at most
 * every 100 ms), so these figures bound the responder's cost per 100 ms, not per request.
 */
@State(Scope.Thread)
public class SnapshotFormatBenchmark extends AbstractBenchmark
{
    private static final int WORKERS = 2;
    private static final int CLIENTS = 20;
    private static final double[] DURATION_BOUNDS_SECS =
        {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
    private static final double[] CONNECT_BOUNDS_SECS =
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private MetricsSnapshot snapshot;
    private final StringBuilder text = new StringBuilder(64 * 1024);
    private byte[] body = new byte[0];

    /** Build the snapshot and size the reused text and body once, as a running responder has. */
    @Setup(Level.Trial)
    public void setUp()
    {
        snapshot = busySnapshot();
        text.setLength(0);
        PrometheusTextFormat.render(snapshot, text);
        final int prometheusBytes = Utf8.encodedLength(text);
        text.setLength(0);
        JsonFormat.render(snapshot, text);
        body = new byte[2 * Math.max(prometheusBytes, Utf8.encodedLength(text))];
    }

    /**
     * @return the length of the Prometheus text.
     */
    @Benchmark
    public int prometheus()
    {
        text.setLength(0);
        PrometheusTextFormat.render(snapshot, text);
        return text.length();
    }

    /**
     * @return bytes of the Prometheus body, rendered and encoded.
     */
    @Benchmark
    public int prometheusBytes()
    {
        text.setLength(0);
        PrometheusTextFormat.render(snapshot, text);
        return Utf8.encode(text, body);
    }

    /**
     * @return the length of the JSON text.
     */
    @Benchmark
    public int json()
    {
        text.setLength(0);
        JsonFormat.render(snapshot, text);
        return text.length();
    }

    /**
     * @return bytes of the JSON body, rendered and encoded.
     */
    @Benchmark
    public int jsonBytes()
    {
        text.setLength(0);
        JsonFormat.render(snapshot, text);
        return Utf8.encode(text, body);
    }

    static MetricsSnapshot busySnapshot()
    {
        final int reasons = CloseReason.values().length;
        final long[] closes = new long[reasons];
        final long[] connectFailures = new long[reasons];
        for (int i = 0; i < reasons; i++)
        {
            closes[i] = 1_000L * (i + 1) + 7;
            connectFailures[i] = CloseReason.fromOrdinal(i).isConnectFailure() ? 13L * (i + 1) : 0;
        }

        final List<TrafficStats> workers = new ArrayList<>(WORKERS);
        long active = 0;
        long total = 0;
        long up = 0;
        long down = 0;
        for (int i = 0; i < WORKERS; i++)
        {
            final TrafficStats worker = new TrafficStats(
                Integer.toString(i), 250 + i, 1_234_567L + i, 98_765_432_100L + i, 123_456_789_012L + i);
            workers.add(worker);
            active += worker.activeConnections();
            total += worker.totalConnections();
            up += worker.bytesUpstream();
            down += worker.bytesDownstream();
        }

        final List<TrafficStats> clients = new ArrayList<>(CLIENTS);
        for (int i = 0; i < CLIENTS; i++)
        {
            clients.add(new TrafficStats(
                "10.0." + (i / 8) + "." + (10 + i), 20 - i / 2, 50_000L - i, 4_000_000_000L - i * 1000L,
                5_000_000_000L - i * 999L));
        }

        clients.add(new TrafficStats("other", 100, 1_000_000, 1_000_000_000L, 2_000_000_000L));
        final MetricsRegistry registry = Families.newRegistry(true);
        registry.cell(Families.CONNECTIONS_ACTIVE).set(active);
        registry.cell(Families.CONNECTIONS_TOTAL).set(total);
        registry.cell(Families.BYTES_UPSTREAM).set(up);
        registry.cell(Families.BYTES_DOWNSTREAM).set(down);
        registry.cell(Families.CONNECTIONS_REJECTED, RejectReason.MAX_CONNECTIONS.label()).set(17);
        registry.cell(AccessFamilies.CONNECTIONS_REJECTED_ALL).set(17);
        for (int i = 0; i < reasons; i++)
        {
            final CloseReason reason = CloseReason.fromOrdinal(i);
            registry.cell(Families.CONNECTIONS_CLOSED, reason.label()).set(closes[i]);
            if (reason.isConnectFailure())
            {
                registry.cell(Families.UPSTREAM_CONNECT_FAILURES, reason.label()).set(connectFailures[i]);
            }
        }
        registry.cell(Families.METRICS_RING_FULL).set(3);
        registry.cell(Families.ACCEPT_PAUSES).set(1);
        registry.cell(Families.RELAY_BUFFER_BYTES).set(12L * 16384);
        registry.cell(Families.RELAY_BUFFER_HIGH_WATER_BYTES).set(512L * 16384);
        registry.cell(Families.RELAY_BUFFER_LIMIT_BYTES).set(2L * 64 * 1024 * 1024);
        registry.cell(Families.UPTIME).setDouble(86_400.0);
        rows(registry, Families.WORKER_CONNECTIONS_ACTIVE, Families.WORKER_CONNECTIONS_TOTAL,
            Families.WORKER_BYTES_UPSTREAM, Families.WORKER_BYTES_DOWNSTREAM, workers);
        registry.cell(Families.CONNECTION_DURATION).setHistogram(histogram(DURATION_BOUNDS_SECS, 2_469_134, 1.0e7));
        registry.cell(Families.UPSTREAM_CONNECT_TIME).setHistogram(
            histogram(CONNECT_BOUNDS_SECS, 2_469_134, 1234.5678));
        rows(registry, Families.CLIENT_CONNECTIONS_ACTIVE, Families.CLIENT_CONNECTIONS_TOTAL,
            Families.CLIENT_BYTES_UPSTREAM, Families.CLIENT_BYTES_DOWNSTREAM, clients);
        return registry.snapshot(1_700_000_000_000L, 86_400_000L);
    }

    private static void rows(
        final MetricsRegistry registry,
        final MetricFamily active,
        final MetricFamily total,
        final MetricFamily up,
        final MetricFamily down,
        final List<TrafficStats> rows)
    {
        for (final TrafficStats row : rows)
        {
            registry.cell(active, row.name()).set(row.activeConnections());
            registry.cell(total, row.name()).set(row.totalConnections());
            registry.cell(up, row.name()).set(row.bytesUpstream());
            registry.cell(down, row.name()).set(row.bytesDownstream());
        }
    }

    private static HistogramSnapshot histogram(final double[] boundsSecs, final long count, final double sumSecs)
    {
        final long[] cumulative = new long[boundsSecs.length];
        for (int i = 0; i < boundsSecs.length; i++)
        {
            cumulative[i] = count * (i + 1) / (boundsSecs.length + 1);
        }
        return new HistogramSnapshot(boundsSecs, cumulative, count, sumSecs);
    }
}
