package io.tcpproxy.http;

import io.tcpproxy.metrics.MetricsSnapshot;

import java.util.function.Supplier;

/**
 * {@code GET /healthz}: 200 while serving, 503 once draining (and before the first snapshot). Capacity never
 * answers 503: the responder sheds another connection instead.
 */
final class HealthHandler implements RouteHandler
{
    private static final byte[] OK = ResponseWriter.ascii("ok\n");
    private static final byte[] DRAINING = ResponseWriter.ascii("draining\n");

    private final Supplier<MetricsSnapshot> snapshots;
    private final ResponderCounters counters;

    HealthHandler(final Supplier<MetricsSnapshot> snapshots, final ResponderCounters counters)
    {
        this.snapshots = snapshots;
        this.counters = counters;
    }

    public void handle(final RequestParser request, final ResponseWriter response)
    {
        final MetricsSnapshot snapshot = MetricsHandler.snapshot(snapshots, counters, response);
        if (null == snapshot)
        {
            return;
        }
        if (snapshot.draining())
        {
            response.status(503).text(DRAINING);
        }
        else
        {
            response.status(200).text(OK);
        }
    }
}
