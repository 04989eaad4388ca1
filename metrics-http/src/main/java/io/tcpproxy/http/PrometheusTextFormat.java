package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;

import java.util.List;

/**
 * Renders a {@link MetricsSnapshot} in the Prometheus text exposition format, version 0.0.4.
 */
final class PrometheusTextFormat
{
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String PREFIX = "tcp_proxy_";
    static final String OTHER_CLIENTS = "other";

    private static final CloseReason[] REASONS = CloseReason.values();

    private PrometheusTextFormat()
    {
    }

    /**
     * Append the whole exposition for one snapshot.
     *
     * @param snapshot to render.
     * @param out      appended to; the caller clears it.
     */
    static void render(final MetricsSnapshot snapshot, final StringBuilder out)
    {
        family(out, "connections_active", "gauge", "Client connections open now.");
        sample(out, "connections_active", snapshot.activeConnections());

        family(out, "connections_total", "counter", "Client connections accepted and relayed (rejected ones are counted apart).");
        sample(out, "connections_total", snapshot.totalConnections());

        family(out, "bytes_upstream_total", "counter", "Bytes relayed from clients to the upstream.");
        sample(out, "bytes_upstream_total", snapshot.bytesUpstream());

        family(out, "bytes_downstream_total", "counter", "Bytes relayed from the upstream to clients.");
        sample(out, "bytes_downstream_total", snapshot.bytesDownstream());

        family(out, "connections_rejected_total", "counter",
            "Clients closed at accept because max_connections were open.");
        sample(out, "connections_rejected_total", snapshot.rejectedConnections());

        family(out, "connections_closed_total", "counter", "Connections closed, by reason.");
        for (final CloseReason reason : REASONS)
        {
            labelledSample(out, "connections_closed_total", "reason", reason.label(), snapshot.closes(reason));
        }

        family(out, "upstream_connect_failures_total", "counter", "Upstream connects that failed, by reason.");
        for (final CloseReason reason : REASONS)
        {
            if (reason.isConnectFailure())
            {
                labelledSample(
                    out, "upstream_connect_failures_total", "reason", reason.label(), snapshot.connectFailures(reason));
            }
        }

        family(out, "metrics_ring_full_total", "counter",
            "Times a worker found its metrics ring full; events were delayed, never lost.");
        sample(out, "metrics_ring_full_total", snapshot.ringFullCount());

        family(out, "accept_pauses_total", "counter", "Times accepting paused because file descriptors ran out.");
        sample(out, "accept_pauses_total", snapshot.acceptPauses());

        family(out, "relay_buffer_bytes", "gauge", "Relay buffer bytes held now (connections with a partial write).");
        sample(out, "relay_buffer_bytes", snapshot.bufferBytesInUse());

        family(out, "relay_buffer_high_water_bytes", "gauge",
            "Most relay buffer bytes held at once (sum of the workers' high-water marks).");
        sample(out, "relay_buffer_high_water_bytes", snapshot.bufferBytesHighWater());

        family(out, "relay_buffer_limit_bytes", "gauge",
            "Relay buffer bound over all workers (buffer_pool_mb x workers); reading pauses at it.");
        sample(out, "relay_buffer_limit_bytes", snapshot.bufferBytesLimit());

        family(out, "draining", "gauge", "1 once a graceful shutdown has begun, else 0.");
        sample(out, "draining", snapshot.draining() ? 1 : 0);

        family(out, "uptime_seconds", "gauge", "Seconds since the proxy started.");
        name(out, "uptime_seconds").append(' ');
        Doubles.append(out, snapshot.uptimeMs() / 1000.0);
        out.append('\n');

        trafficFamilies(out, "worker_", "worker", "Per worker thread: ", snapshot.workers(), null);

        histogram(out, "connection_duration_seconds", "Lifetime of closed client connections in seconds.",
            snapshot.connectionDuration());
        histogram(out, "upstream_connect_seconds", "Time to connect to the upstream in seconds, successful connects.",
            snapshot.upstreamConnectTime());

        if (snapshot.clientLabelsExported())
        {
            trafficFamilies(out, "client_", "client", "Per client IP (top K by bytes, the rest as \"other\"): ",
                snapshot.topClients(), snapshot.otherClients());
        }
    }

    private static void trafficFamilies(
        final StringBuilder out,
        final String namePrefix,
        final String labelName,
        final String helpPrefix,
        final List<TrafficStats> stats,
        final TrafficStats other)
    {
        final int size = stats.size();

        final String active = namePrefix + "connections_active";
        family(out, active, "gauge", helpPrefix + "connections open now.");
        for (int i = 0; i < size; i++)
        {
            final TrafficStats s = stats.get(i);
            labelledSample(out, active, labelName, s.name(), s.activeConnections());
        }
        if (null != other)
        {
            labelledSample(out, active, labelName, OTHER_CLIENTS, other.activeConnections());
        }

        final String total = namePrefix + "connections_total";
        family(out, total, "counter", helpPrefix + "connections accepted.");
        for (int i = 0; i < size; i++)
        {
            final TrafficStats s = stats.get(i);
            labelledSample(out, total, labelName, s.name(), s.totalConnections());
        }
        if (null != other)
        {
            labelledSample(out, total, labelName, OTHER_CLIENTS, other.totalConnections());
        }

        final String up = namePrefix + "bytes_upstream_total";
        family(out, up, "counter", helpPrefix + "bytes relayed from clients to the upstream.");
        for (int i = 0; i < size; i++)
        {
            final TrafficStats s = stats.get(i);
            labelledSample(out, up, labelName, s.name(), s.bytesUpstream());
        }
        if (null != other)
        {
            labelledSample(out, up, labelName, OTHER_CLIENTS, other.bytesUpstream());
        }

        final String down = namePrefix + "bytes_downstream_total";
        family(out, down, "counter", helpPrefix + "bytes relayed from the upstream to clients.");
        for (int i = 0; i < size; i++)
        {
            final TrafficStats s = stats.get(i);
            labelledSample(out, down, labelName, s.name(), s.bytesDownstream());
        }
        if (null != other)
        {
            labelledSample(out, down, labelName, OTHER_CLIENTS, other.bytesDownstream());
        }
    }

    private static void histogram(
        final StringBuilder out, final String baseName, final String help, final HistogramSnapshot histogram)
    {
        family(out, baseName, "histogram", help);
        final long count = null == histogram ? 0 : histogram.count();
        if (null != histogram)
        {
            for (int i = 0, n = histogram.bucketCount(); i < n; i++)
            {
                name(out, baseName).append("_bucket{le=\"");
                Doubles.append(out, histogram.upperBoundSecs(i));
                out.append("\"} ").append(histogram.cumulativeCount(i)).append('\n');
            }
        }
        name(out, baseName).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        name(out, baseName).append("_sum ");
        Doubles.append(out, null == histogram ? 0.0 : histogram.sumSecs());
        out.append('\n');
        name(out, baseName).append("_count ").append(count).append('\n');
    }

    private static void family(final StringBuilder out, final String name, final String type, final String help)
    {
        out.append("# HELP ").append(PREFIX).append(name).append(' ');
        for (int i = 0, n = help.length(); i < n; i++)
        {
            final char c = help.charAt(i);
            if ('\\' == c)
            {
                out.append("\\\\");
            }
            else if ('\n' == c)
            {
                out.append("\\n");
            }
            else
            {
                out.append(c);
            }
        }
        out.append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n');
    }

    private static void sample(final StringBuilder out, final String name, final long value)
    {
        name(out, name).append(' ').append(value).append('\n');
    }

    private static void labelledSample(
        final StringBuilder out, final String name, final String label, final String labelValue, final long value)
    {
        name(out, name).append('{').append(label).append("=\"");
        appendLabelValue(out, labelValue);
        out.append("\"} ").append(value).append('\n');
    }

    private static StringBuilder name(final StringBuilder out, final String name)
    {
        return out.append(PREFIX).append(name);
    }

    static void appendLabelValue(final StringBuilder out, final String value)
    {
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '\\':
                    out.append("\\\\");
                    break;
                case '"':
                    out.append("\\\"");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                default:
                    out.append(c);
            }
        }
    }
}
