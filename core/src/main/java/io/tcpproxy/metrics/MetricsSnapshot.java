package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the proxy counts, frozen at one instant: every declared family with its series (see
 * {@link #families()}, what exporters iterate), plus typed accessors for the proxy's own figures. Built by the
 * collector thread (through {@link MetricsRegistry#snapshot}) and published through a volatile field; safe to read
 * from any thread.
 */
public final class MetricsSnapshot
{
    private static final TrafficStats NO_OTHER = new TrafficStats("other", 0, 0, 0, 0);

    private final long timestampMs;
    private final long uptimeMs;
    private final List<FamilySnapshot> families;
    private final Map<String, FamilySnapshot> byName;

    MetricsSnapshot(final long timestampMs, final long uptimeMs, final List<FamilySnapshot> families)
    {
        this.timestampMs = timestampMs;
        this.uptimeMs = uptimeMs;
        this.families = List.copyOf(families);
        this.byName = MetricsRegistry.index(this.families);
    }

    /** @return every family, in declaration order. */
    public List<FamilySnapshot> families()
    {
        return families;
    }

    /** @param family a family. @return its frozen series, or null if it was not declared. */
    public FamilySnapshot family(final MetricFamily family)
    {
        return byName.get(family.name());
    }

    /**
     * @param family      a family.
     * @param labelValues the series.
     * @return its integer value, 0 when the series does not exist.
     */
    public long value(final MetricFamily family, final String... labelValues)
    {
        final FamilySnapshot frozen = byName.get(family.name());
        final Sample sample = null == frozen ? null : frozen.sample(labelValues);
        return null == sample ? 0 : sample.value();
    }

    /** @return wall clock when taken (epoch ms). */
    public long timestampMs()
    {
        return timestampMs;
    }

    /** @return time since the proxy started, in ms. */
    public long uptimeMs()
    {
        return uptimeMs;
    }

    /** @return client connections open now. */
    public long activeConnections()
    {
        return value(Families.CONNECTIONS_ACTIVE);
    }

    /** @return client connections accepted so far. */
    public long totalConnections()
    {
        return value(Families.CONNECTIONS_TOTAL);
    }

    /** @return bytes relayed from clients to the upstream. */
    public long bytesUpstream()
    {
        return value(Families.BYTES_UPSTREAM);
    }

    /** @return bytes relayed from the upstream to clients. */
    public long bytesDownstream()
    {
        return value(Families.BYTES_DOWNSTREAM);
    }

    /** @return clients refused without being served, every reason together. */
    public long rejectedConnections()
    {
        final FamilySnapshot frozen = byName.get(Families.CONNECTIONS_REJECTED.name());
        long sum = 0;
        if (null != frozen)
        {
            for (final Sample sample : frozen.samples())
            {
                sum += sample.value();
            }
        }
        return sum;
    }

    /** @param reason why. @return clients refused for it. */
    public long rejectedConnections(final RejectReason reason)
    {
        return value(Families.CONNECTIONS_REJECTED, reason.label());
    }

    /** @param reason a close reason. @return connections closed for it. */
    public long closes(final CloseReason reason)
    {
        return value(Families.CONNECTIONS_CLOSED, reason.label());
    }

    /** @param reason a connect-failure reason. @return upstream connects that failed for it. */
    public long connectFailures(final CloseReason reason)
    {
        return value(Families.UPSTREAM_CONNECT_FAILURES, reason.label());
    }

    /** @return times a worker found its metrics ring full (events were delayed, never lost). */
    public long ringFullCount()
    {
        return value(Families.METRICS_RING_FULL);
    }

    /** @return times accepting paused because file descriptors ran out. */
    public long acceptPauses()
    {
        return value(Families.ACCEPT_PAUSES);
    }

    /** @return unexpected errors inside the proxy. */
    public long internalErrors()
    {
        return value(Families.INTERNAL_ERRORS);
    }

    /** @return true once a graceful shutdown has begun. */
    public boolean draining()
    {
        return value(Families.DRAINING) != 0;
    }

    /** @return per-worker figures, in worker order. */
    public List<TrafficStats> workers()
    {
        return traffic(Families.WORKER_CONNECTIONS_ACTIVE, Families.WORKER_CONNECTIONS_TOTAL,
            Families.WORKER_BYTES_UPSTREAM, Families.WORKER_BYTES_DOWNSTREAM, null);
    }

    /**
     * @return per-client figures of the exported clients (see {@code docs/metrics-clients.md}: counts since each
     * client's series began), empty when the client table is off.
     */
    public List<TrafficStats> topClients()
    {
        return traffic(Families.CLIENT_CONNECTIONS_ACTIVE, Families.CLIENT_CONNECTIONS_TOTAL,
            Families.CLIENT_BYTES_UPSTREAM, Families.CLIENT_BYTES_DOWNSTREAM, Families.CLIENT_ROWS.restLabelValue());
    }

    /** @return what no exported client series counted, summed ({@code client="other"}). */
    public TrafficStats otherClients()
    {
        final String other = Families.CLIENT_ROWS.restLabelValue();
        if (null == byName.get(Families.CLIENT_CONNECTIONS_ACTIVE.name()))
        {
            return NO_OTHER;
        }
        return new TrafficStats(other, value(Families.CLIENT_CONNECTIONS_ACTIVE, other),
            value(Families.CLIENT_CONNECTIONS_TOTAL, other), value(Families.CLIENT_BYTES_UPSTREAM, other),
            value(Families.CLIENT_BYTES_DOWNSTREAM, other));
    }

    /** @return whether Prometheus output includes per-client series. */
    public boolean clientLabelsExported()
    {
        final FamilySnapshot clients = byName.get(Families.CLIENT_CONNECTIONS_TOTAL.name());
        return null != clients && clients.prometheus();
    }

    /** @return histogram of closed connection lifetimes. */
    public HistogramSnapshot connectionDuration()
    {
        return histogram(Families.CONNECTION_DURATION);
    }

    /** @return histogram of successful upstream connect times. */
    public HistogramSnapshot upstreamConnectTime()
    {
        return histogram(Families.UPSTREAM_CONNECT_TIME);
    }

    /** @return relay buffer bytes held now, over all workers. */
    public long bufferBytesInUse()
    {
        return value(Families.RELAY_BUFFER_BYTES);
    }

    /** @return the sum of each worker's high-water mark of relay buffer bytes held at once. */
    public long bufferBytesHighWater()
    {
        return value(Families.RELAY_BUFFER_HIGH_WATER_BYTES);
    }

    /** @return the bound on relay buffer bytes over all workers. */
    public long bufferBytesLimit()
    {
        return value(Families.RELAY_BUFFER_LIMIT_BYTES);
    }

    private HistogramSnapshot histogram(final MetricFamily family)
    {
        final FamilySnapshot frozen = byName.get(family.name());
        final Sample sample = null == frozen ? null : frozen.sample();
        return null == sample ? null : sample.histogram();
    }

    private List<TrafficStats> traffic(
        final MetricFamily active,
        final MetricFamily total,
        final MetricFamily up,
        final MetricFamily down,
        final String excluded)
    {
        final FamilySnapshot rows = byName.get(total.name());
        if (null == rows)
        {
            return List.of();
        }
        final List<TrafficStats> result = new ArrayList<>(rows.samples().size());
        for (final Sample sample : rows.samples())
        {
            final String name = sample.labelValues().get(0);
            if (!name.equals(excluded))
            {
                result.add(new TrafficStats(name, value(active, name), sample.value(), value(up, name),
                    value(down, name)));
            }
        }
        return List.copyOf(result);
    }
}
