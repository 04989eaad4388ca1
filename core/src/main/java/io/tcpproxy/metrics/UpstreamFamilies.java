package io.tcpproxy.metrics;

import io.tcpproxy.metrics.MetricFamily.JsonRows;
import io.tcpproxy.metrics.MetricFamily.ValueKind;

import java.util.List;

/**
 * The upstream pools' families (issues 13 and 15): one series per configured or resolved server, read from the
 * servers' own counters at snapshot time. Every per-server series is labelled {@code {upstream,pool,...}}:
 * {@code upstream} is the server's label ({@code HOST:PORT} as configured, {@code NAME:PORT/IP} for a name),
 * {@code pool} the pool it serves ({@code default} for the servers without one, and for {@code target_addr}).
 */
public final class UpstreamFamilies
{
    /** JSON table of the per-server families: rows keyed by {@code upstream} and {@code pool}. */
    public static final JsonRows UPSTREAM_ROWS = new JsonRows("upstreams", "upstream", null, null);

    private static final String UPSTREAM = "upstream";
    private static final String POOL = "pool";

    /** 1 while the server is up (healthy by its checks, not ejected), else 0. */
    public static final MetricFamily UP = MetricFamily.gauge("tcp_proxy_upstream_up",
        "1 while the upstream server is up (healthy by active checks, not ejected by passive health), else 0.",
        UPSTREAM, POOL).valueKind(ValueKind.BOOLEAN).inJsonRows(UPSTREAM_ROWS, "up");
    /** 1 while the admin API has drained or disabled the server (it takes no new clients), else 0. */
    public static final MetricFamily DRAINING = MetricFamily.gauge("tcp_proxy_upstream_draining",
        "1 while the upstream server is drained or disabled through the admin API (no new clients), else 0.",
        UPSTREAM, POOL).valueKind(ValueKind.BOOLEAN).inJsonRows(UPSTREAM_ROWS, "draining");
    /** Connections open now per server. */
    public static final MetricFamily CONNECTIONS_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_upstream_connections_active", "Connections open now (or connecting) to the upstream server.",
        UPSTREAM, POOL).inJsonRows(UPSTREAM_ROWS, "active_connections");
    /** Connections made per server. */
    public static final MetricFamily CONNECTIONS_TOTAL = MetricFamily.counter(
        "tcp_proxy_upstream_connections_total", "Successful connects to the upstream server.", UPSTREAM, POOL)
        .inJsonRows(UPSTREAM_ROWS, "total_connections");
    /** Bytes sent to the server. */
    public static final MetricFamily BYTES_SENT = MetricFamily.counter("tcp_proxy_upstream_bytes_sent_total",
        "Bytes relayed from clients to the upstream server.", UPSTREAM, POOL).inJsonRows(UPSTREAM_ROWS, "bytes_sent");
    /** Bytes received from the server. */
    public static final MetricFamily BYTES_RECEIVED = MetricFamily.counter(
        "tcp_proxy_upstream_bytes_received_total", "Bytes relayed from the upstream server to clients.", UPSTREAM,
        POOL).inJsonRows(UPSTREAM_ROWS, "bytes_received");
    /**
     * Failed connect tries per server and reason (a single {@code target_addr} host name: its one server). The
     * clients whose connect finally failed, after every retry, stay in the JSON's {@code connect_failures_by_reason}
     * ({@link Families#UPSTREAM_CONNECT_FAILURES}) and in {@code tcp_proxy_connections_closed_total}.
     */
    public static final MetricFamily CONNECT_FAILURES = MetricFamily.counter(
        "tcp_proxy_upstream_connect_failures_total",
        "Connect tries to the upstream server that failed, by reason (a retried client counts once per try).",
        UPSTREAM, POOL, "reason").json("upstream_connect_failures");
    /** Active health checks per server and result. */
    public static final MetricFamily HEALTH_CHECKS = MetricFamily.counter("tcp_proxy_upstream_health_checks_total",
        "Active health checks of the upstream server, by result.", UPSTREAM, POOL, "result")
        .json("upstream_health_checks");
    /** Connect tries made on another server after a failure. */
    public static final MetricFamily CONNECT_RETRIES = MetricFamily.counter("tcp_proxy_upstream_connect_retries_total",
        "Upstream connects retried on another server after a failed try.").json("upstream_connect_retries");

    /** Every family, in output order. */
    public static final List<MetricFamily> ALL = List.of(
        UP, DRAINING, CONNECTIONS_ACTIVE, CONNECTIONS_TOTAL, BYTES_SENT, BYTES_RECEIVED, CONNECT_FAILURES, HEALTH_CHECKS,
        CONNECT_RETRIES);

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
