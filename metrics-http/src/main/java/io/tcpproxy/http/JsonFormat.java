package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;

import java.util.List;

/**
 * Renders a {@link MetricsSnapshot} as one JSON object: the seed's four keys first, then everything else.
 */
final class JsonFormat
{
    static final String CONTENT_TYPE = "application/json";

    private static final CloseReason[] REASONS = CloseReason.values();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonFormat()
    {
    }

    /**
     * Append the JSON document for one snapshot, followed by a newline.
     *
     * @param snapshot to render.
     * @param out      appended to; the caller clears it.
     */
    static void render(final MetricsSnapshot snapshot, final StringBuilder out)
    {
        out.append('{');
        key(out, "active_connections").append(snapshot.activeConnections()).append(',');
        key(out, "total_connections").append(snapshot.totalConnections()).append(',');
        key(out, "bytes_upstream").append(snapshot.bytesUpstream()).append(',');
        key(out, "bytes_downstream").append(snapshot.bytesDownstream()).append(',');
        key(out, "rejected_connections").append(snapshot.rejectedConnections()).append(',');

        key(out, "closes_by_reason").append('{');
        boolean first = true;
        for (final CloseReason reason : REASONS)
        {
            if (!first)
            {
                out.append(',');
            }
            first = false;
            key(out, reason.label()).append(snapshot.closes(reason));
        }
        out.append("},");

        key(out, "connect_failures_by_reason").append('{');
        first = true;
        for (final CloseReason reason : REASONS)
        {
            if (reason.isConnectFailure())
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                key(out, reason.label()).append(snapshot.connectFailures(reason));
            }
        }
        out.append("},");

        key(out, "ring_full").append(snapshot.ringFullCount()).append(',');
        key(out, "accept_pauses").append(snapshot.acceptPauses()).append(',');
        key(out, "relay_buffer_bytes").append(snapshot.bufferBytesInUse()).append(',');
        key(out, "relay_buffer_high_water_bytes").append(snapshot.bufferBytesHighWater()).append(',');
        key(out, "relay_buffer_limit_bytes").append(snapshot.bufferBytesLimit()).append(',');
        key(out, "draining").append(snapshot.draining()).append(',');
        key(out, "uptime_seconds");
        number(out, snapshot.uptimeMs() / 1000.0);
        out.append(',');
        key(out, "timestamp_ms").append(snapshot.timestampMs()).append(',');

        key(out, "workers");
        trafficArray(out, "worker", snapshot.workers());
        out.append(',');
        key(out, "clients");
        trafficArray(out, "client", snapshot.topClients());
        out.append(',');
        key(out, "other_clients");
        final TrafficStats other = snapshot.otherClients();
        if (null == other)
        {
            trafficFields(out.append('{'), 0, 0, 0, 0).append('}');
        }
        else
        {
            trafficFields(out.append('{'), other.activeConnections(), other.totalConnections(), other.bytesUpstream(),
                other.bytesDownstream()).append('}');
        }
        out.append(',');

        key(out, "histograms").append('{');
        key(out, "connection_duration_seconds");
        histogram(out, snapshot.connectionDuration());
        out.append(',');
        key(out, "upstream_connect_seconds");
        histogram(out, snapshot.upstreamConnectTime());
        out.append("}}\n");
    }

    private static void trafficArray(final StringBuilder out, final String nameKey, final List<TrafficStats> stats)
    {
        out.append('[');
        for (int i = 0, n = stats.size(); i < n; i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            final TrafficStats s = stats.get(i);
            out.append('{');
            key(out, nameKey);
            string(out, s.name()).append(',');
            trafficFields(out, s.activeConnections(), s.totalConnections(), s.bytesUpstream(), s.bytesDownstream());
            out.append('}');
        }
        out.append(']');
    }

    private static StringBuilder trafficFields(
        final StringBuilder out, final long active, final long total, final long up, final long down)
    {
        key(out, "active_connections").append(active).append(',');
        key(out, "total_connections").append(total).append(',');
        key(out, "bytes_upstream").append(up).append(',');
        return key(out, "bytes_downstream").append(down);
    }

    private static void histogram(final StringBuilder out, final HistogramSnapshot histogram)
    {
        out.append('{');
        key(out, "buckets").append('[');
        if (null != histogram)
        {
            for (int i = 0, n = histogram.bucketCount(); i < n; i++)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                out.append('{');
                key(out, "le");
                number(out, histogram.upperBoundSecs(i));
                out.append(',');
                key(out, "count").append(histogram.cumulativeCount(i)).append('}');
            }
        }
        out.append("],");
        key(out, "count").append(null == histogram ? 0 : histogram.count()).append(',');
        key(out, "sum");
        number(out, null == histogram ? 0.0 : histogram.sumSecs());
        out.append('}');
    }

    private static StringBuilder key(final StringBuilder out, final String key)
    {
        return string(out, key).append(':');
    }

    private static void number(final StringBuilder out, final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            out.append("null");
        }
        else
        {
            Doubles.append(out, value);
        }
    }

    static StringBuilder string(final StringBuilder out, final String value)
    {
        out.append('"');
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                            .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }
}
