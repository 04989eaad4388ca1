package io.tcpproxy.http;

import io.tcpproxy.metrics.MetricsSnapshot;

import java.util.function.Supplier;

/**
 * {@code GET /metrics}: Prometheus text, or JSON with {@code ?format=json}; the responder's own counters follow
 * the proxy's.
 */
final class MetricsHandler implements RouteHandler
{
    static final byte[] NOT_READY = ResponseWriter.ascii("no metrics snapshot yet\n");
    static final byte[] INTERNAL_ERROR = ResponseWriter.ascii("internal error\n");
    private static final byte[] FORMAT_JSON = ResponseWriter.ascii("format=json");

    private final Supplier<MetricsSnapshot> snapshots;
    private final ResponderCounters counters;
    private final StringBuilder text = new StringBuilder(16 * 1024);
    private byte[] body = new byte[16 * 1024];

    MetricsHandler(final Supplier<MetricsSnapshot> snapshots, final ResponderCounters counters)
    {
        this.snapshots = snapshots;
        this.counters = counters;
    }

    public void handle(final RequestParser request, final ResponseWriter response)
    {
        final MetricsSnapshot snapshot = snapshot(snapshots, counters, response);
        if (null == snapshot)
        {
            return;
        }
        final boolean json = request.queryHas(FORMAT_JSON);
        final StringBuilder text = this.text;
        text.setLength(0);
        try
        {
            if (json)
            {
                JsonFormat.render(snapshot, text);
                reopenJsonObject(text);
                counters.appendJson(text.append(','));
                text.append("}\n");
            }
            else
            {
                PrometheusTextFormat.render(snapshot, text);
                counters.appendPrometheus(text);
            }
        }
        catch (final RuntimeException ex)
        {
            counters.errors++;
            response.status(500).closeAfter().text(INTERNAL_ERROR);
            return;
        }
        final int bytes = Utf8.encodedLength(text);
        if (body.length < bytes)
        {
            body = new byte[bytes + (bytes >> 2)];
        }
        final int length = Utf8.encode(text, body);
        response.body(json ? JsonFormat.CONTENT_TYPE : PrometheusTextFormat.CONTENT_TYPE, body, length);
    }

    /**
     * The latest snapshot, or null after answering 503 (none yet) or 500 (the supplier failed).
     */
    static MetricsSnapshot snapshot(
        final Supplier<MetricsSnapshot> snapshots, final ResponderCounters counters, final ResponseWriter response)
    {
        final MetricsSnapshot snapshot;
        try
        {
            snapshot = snapshots.get();
        }
        catch (final RuntimeException ex)
        {
            counters.errors++;
            response.status(500).closeAfter().text(INTERNAL_ERROR);
            return null;
        }
        if (null == snapshot)
        {
            response.status(503).text(NOT_READY);
        }
        return snapshot;
    }

    /**
     * Remove the closing brace (and trailing newline) of a rendered JSON object so members can be appended; the
     * caller appends ',' + members + "}".
     */
    static void reopenJsonObject(final StringBuilder json)
    {
        int end = json.length();
        while (end > 0 && Character.isWhitespace(json.charAt(end - 1)))
        {
            end--;
        }
        if (end == 0 || '}' != json.charAt(end - 1))
        {
            throw new IllegalStateException("not a JSON object");
        }
        json.setLength(end - 1);
    }
}
