package io.tcpproxy.metrics;

import io.tcpproxy.metrics.MetricFamily.JsonRows;
import io.tcpproxy.metrics.MetricFamily.ValueKind;

import java.util.List;

/**
 * The upstream pools' families (issue 13): one series per configured or resolved server, read from the servers'
 * own counters at snapshot time. The {@code upstream} label is the server's label ({@code HOST:PORT} as configured,
 * {@code NAME:PORT/IP} for a name), prefixed {@code POOL/} only when the same server is in several pools.
 */
public final class UpstreamFamilies
{
    /** JSON table of the per-server families. */
    public static final JsonRows UPSTREAM_ROWS = new JsonRows("upstreams", "upstream", null, null);

    /** 1 while the server is up (healthy by its checks, not ejected), else 0. */
    public static final MetricFamily UP = MetricFamily.gauge("tcp_proxy_upstream_up",
        "1 while the upstream server is up (healthy by active checks, not ejected by passive health), else 0.", "upstream")
        .valueKind(ValueKind.BOOLEAN).inJsonRows(UPSTREAM_ROWS, "up");
    /** 1 while the admin API has drained or disabled the server (it takes no new clients), else 0. */
    public static final MetricFamily DRAINING = MetricFamily.gauge("tcp_proxy_upstream_draining",
        "1 while the upstream server is drained or disabled through the admin API (no new clients), else 0.",
        "upstream").valueKind(ValueKind.BOOLEAN).inJsonRows(UPSTREAM_ROWS, "draining");
    /** Connections open now per server. */
    public static final MetricFamily CONNECTIONS_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_upstream_connections_active", "Connections open now (or connecting) to the upstream server.",
        "upstream").inJsonRows(UPSTREAM_ROWS, "active_connections");
    /** Connections made per server. */
    public static final MetricFamily CONNECTIONS_TOTAL = MetricFamily.counter(
        "tcp_proxy_upstream_connections_total", "Successful connects to the upstream server.", "upstream")
        .inJsonRows(UPSTREAM_ROWS, "total_connections");
    /** Bytes sent to the server. */
    public static final MetricFamily BYTES_SENT = MetricFamily.counter("tcp_proxy_upstream_bytes_sent_total",
        "Bytes relayed from clients to the upstream server.", "upstream").inJsonRows(UPSTREAM_ROWS, "bytes_sent");
    /** Bytes received from the server. */
    public static final MetricFamily BYTES_RECEIVED = MetricFamily.counter(
        "tcp_proxy_upstream_bytes_received_total", "Bytes relayed from the upstream server to clients.", "upstream")
        .inJsonRows(UPSTREAM_ROWS, "bytes_received");
    /**
     * Failed connect tries per server and reason. Not {@code tcp_proxy_upstream_connect_failures_total}: that name
     * already counts failed client connects by reason alone, and one name cannot carry two label sets.
     */
    public static final MetricFamily CONNECT_FAILURES = MetricFamily.counter(
        "tcp_proxy_upstream_server_connect_failures_total",
        "Connect tries to the upstream server that failed, by reason (a retried client counts once per try).",
        "upstream", "reason").json("upstream_connect_failures");
    /** Active health checks per server and result. */
    public static final MetricFamily HEALTH_CHECKS = MetricFamily.counter("tcp_proxy_upstream_health_checks_total",
        "Active health checks of the upstream server, by result.", "upstream", "result")
        .json("upstream_health_checks");
    /** Connect tries made on another server after a failure. */
    public static final MetricFamily CONNECT_RETRIES = MetricFamily.counter("tcp_proxy_upstream_connect_retries_total",
        "Upstream connects retried on another server after a failed try.").json("upstream_connect_retries");
    /** The pool of each server (value 1): joins the per-server series to their pool. */
    public static final MetricFamily POOL = MetricFamily.gauge("tcp_proxy_upstream_pool_info",
        "The pool each upstream server belongs to (always 1).", "upstream", "pool").json("upstream_pools");

    /** Every family, in output order. */
    public static final List<MetricFamily> ALL = List.of(
        UP, DRAINING, CONNECTIONS_ACTIVE, CONNECTIONS_TOTAL, BYTES_SENT, BYTES_RECEIVED, CONNECT_FAILURES, HEALTH_CHECKS,
        CONNECT_RETRIES, POOL);

    private UpstreamFamilies()
    {
    }

    /**
     * @param registry to declare the families in.
     */
    public static void declare(final MetricsRegistry registry)
    {
        for (final MetricFamily family : ALL)
        {
            registry.declare(family);
        }
    }
}
