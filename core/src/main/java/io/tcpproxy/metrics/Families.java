package io.tcpproxy.metrics;

import io.tcpproxy.metrics.MetricFamily.JsonRows;
import io.tcpproxy.metrics.MetricFamily.ValueKind;

import java.util.List;

/**
 * The proxy's own metric families, declared once, in output order. Public so that tests and benchmarks can build
 * snapshots by hand; adding a metric means a declaration here (or next to the code that owns it) and the code that
 * counts it.
 */
public final class Families
{
    /** JSON table of the per-worker families. */
    public static final JsonRows WORKER_ROWS = new JsonRows("workers", "worker", null, null);
    /** JSON table of the per-client families; the {@code other} row goes to {@code other_clients}. */
    public static final JsonRows CLIENT_ROWS = new JsonRows("clients", "client", "other", "other_clients");

    /** Client connections open now. */
    public static final MetricFamily CONNECTIONS_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_connections_active", "Client connections open now.").json("active_connections");
    /** Client connections accepted. */
    public static final MetricFamily CONNECTIONS_TOTAL = MetricFamily.counter("tcp_proxy_connections_total",
        "Client connections accepted and relayed (rejected ones are counted apart).").json("total_connections");
    /** Bytes client to upstream. */
    public static final MetricFamily BYTES_UPSTREAM = MetricFamily.counter(
        "tcp_proxy_bytes_upstream_total", "Bytes relayed from clients to the upstream.").json("bytes_upstream");
    /** Bytes upstream to client. */
    public static final MetricFamily BYTES_DOWNSTREAM = MetricFamily.counter(
        "tcp_proxy_bytes_downstream_total", "Bytes relayed from the upstream to clients.").json("bytes_downstream");
    /** Clients refused without being served, by {@link RejectReason} (the JSON total: {@link AccessFamilies}). */
    public static final MetricFamily CONNECTIONS_REJECTED = MetricFamily.counter(
        "tcp_proxy_connections_rejected_total", "Clients refused without being served, by reason: max_connections " +
        "open, denied by the allow/deny lists, over client_limit or rate_limited.", "reason")
        .json("rejected_by_reason");
    /** Closes by reason. */
    public static final MetricFamily CONNECTIONS_CLOSED = MetricFamily.counter(
        "tcp_proxy_connections_closed_total", "Connections closed, by reason.", "reason").json("closes_by_reason");
    /**
     * Clients whose upstream connect finally failed (after every retry), by reason: the JSON's
     * {@code connect_failures_by_reason} only. In Prometheus the name {@code tcp_proxy_upstream_connect_failures_total}
     * belongs to the per-server tries ({@link UpstreamFamilies#CONNECT_FAILURES}, issue 13), and one name carries one
     * label set; the clients are there as {@code tcp_proxy_connections_closed_total{reason=~"connect_.*"}}.
     */
    public static final MetricFamily UPSTREAM_CONNECT_FAILURES = MetricFamily.counter(
        "tcp_proxy_connects_failed_total", "Clients whose upstream connect finally failed, by reason.",
        "reason").json("connect_failures_by_reason");
    /** Ring-full occasions. */
    public static final MetricFamily METRICS_RING_FULL = MetricFamily.counter("tcp_proxy_metrics_ring_full_total",
        "Times a worker found its metrics ring full; events were delayed, never lost.").json("ring_full");
    /** Accept pauses (EMFILE). */
    public static final MetricFamily ACCEPT_PAUSES = MetricFamily.counter(
        "tcp_proxy_accept_pauses_total", "Times accepting paused because file descriptors ran out.")
        .json("accept_pauses");
    /** Unexpected errors inside the proxy. */
    public static final MetricFamily INTERNAL_ERRORS = MetricFamily.counter("tcp_proxy_internal_errors_total",
        "Unexpected errors inside the proxy (each closed at most the connection it happened on).")
        .json("internal_errors");
    /** Relay buffer bytes held. */
    public static final MetricFamily RELAY_BUFFER_BYTES = MetricFamily.gauge(
        "tcp_proxy_relay_buffer_bytes", "Relay buffer bytes held now (connections with a partial write).");
    /** High-water mark of relay buffer bytes. */
    public static final MetricFamily RELAY_BUFFER_HIGH_WATER_BYTES = MetricFamily.gauge(
        "tcp_proxy_relay_buffer_high_water_bytes",
        "Most relay buffer bytes held at once (sum of the workers' high-water marks).");
    /** Bound on relay buffer bytes. */
    public static final MetricFamily RELAY_BUFFER_LIMIT_BYTES = MetricFamily.gauge(
        "tcp_proxy_relay_buffer_limit_bytes",
        "Relay buffer bound over all workers (buffer_pool_mb x workers); reading pauses at it.");
    /** Draining flag. */
    public static final MetricFamily DRAINING = MetricFamily.gauge(
        "tcp_proxy_draining", "1 once a graceful shutdown has begun, else 0.").valueKind(ValueKind.BOOLEAN);
    /** Uptime. */
    public static final MetricFamily UPTIME = MetricFamily.gauge(
        "tcp_proxy_uptime_seconds", "Seconds since the proxy started.").valueKind(ValueKind.DOUBLE);

    /** Per worker: connections open now. */
    public static final MetricFamily WORKER_CONNECTIONS_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_worker_connections_active", "Per worker thread: connections open now.", "worker")
        .inJsonRows(WORKER_ROWS, "active_connections");
    /** Per worker: connections accepted. */
    public static final MetricFamily WORKER_CONNECTIONS_TOTAL = MetricFamily.counter(
        "tcp_proxy_worker_connections_total", "Per worker thread: connections accepted.", "worker")
        .inJsonRows(WORKER_ROWS, "total_connections");
    /** Per worker: bytes client to upstream. */
    public static final MetricFamily WORKER_BYTES_UPSTREAM = MetricFamily.counter(
        "tcp_proxy_worker_bytes_upstream_total", "Per worker thread: bytes relayed from clients to the upstream.",
        "worker").inJsonRows(WORKER_ROWS, "bytes_upstream");
    /** Per worker: bytes upstream to client. */
    public static final MetricFamily WORKER_BYTES_DOWNSTREAM = MetricFamily.counter(
        "tcp_proxy_worker_bytes_downstream_total", "Per worker thread: bytes relayed from the upstream to clients.",
        "worker").inJsonRows(WORKER_ROWS, "bytes_downstream");

    /** Connection lifetimes. */
    public static final MetricFamily CONNECTION_DURATION = MetricFamily.histogram(
        "tcp_proxy_connection_duration_seconds", "Lifetime of closed client connections in seconds.",
        new double[]{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600});
    /** Upstream connect times. */
    public static final MetricFamily UPSTREAM_CONNECT_TIME = MetricFamily.histogram(
        "tcp_proxy_upstream_connect_seconds", "Time to connect to the upstream in seconds, successful connects.",
        new double[]{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});

    private static final String CLIENT_HELP = "Per client IP (top K by bytes, the rest as \"other\"): ";
    /** Per client: connections open now. */
    public static final MetricFamily CLIENT_CONNECTIONS_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_client_connections_active", CLIENT_HELP + "connections open now.", "client")
        .inJsonRows(CLIENT_ROWS, "active_connections");
    /** Per client: connections accepted. */
    public static final MetricFamily CLIENT_CONNECTIONS_TOTAL = MetricFamily.counter(
        "tcp_proxy_client_connections_total", CLIENT_HELP + "connections accepted.", "client")
        .inJsonRows(CLIENT_ROWS, "total_connections");
    /** Per client: bytes client to upstream. */
    public static final MetricFamily CLIENT_BYTES_UPSTREAM = MetricFamily.counter(
        "tcp_proxy_client_bytes_upstream_total", CLIENT_HELP + "bytes relayed from clients to the upstream.",
        "client").inJsonRows(CLIENT_ROWS, "bytes_upstream");
    /** Per client: bytes upstream to client. */
    public static final MetricFamily CLIENT_BYTES_DOWNSTREAM = MetricFamily.counter(
        "tcp_proxy_client_bytes_downstream_total", CLIENT_HELP + "bytes relayed from the upstream to clients.",
        "client").inJsonRows(CLIENT_ROWS, "bytes_downstream");

    /**
     * Every family always exported, in output order (the per-client ones come after, see {@link #CLIENTS}); all in
     * the JSON, all but {@link #UPSTREAM_CONNECT_FAILURES} in the Prometheus text.
     */
    public static final List<MetricFamily> CORE = List.of(
        CONNECTIONS_ACTIVE, CONNECTIONS_TOTAL, BYTES_UPSTREAM, BYTES_DOWNSTREAM, CONNECTIONS_REJECTED,
        CONNECTIONS_CLOSED, UPSTREAM_CONNECT_FAILURES, METRICS_RING_FULL, ACCEPT_PAUSES, INTERNAL_ERRORS,
        RELAY_BUFFER_BYTES, RELAY_BUFFER_HIGH_WATER_BYTES, RELAY_BUFFER_LIMIT_BYTES, DRAINING, UPTIME,
        WORKER_CONNECTIONS_ACTIVE, WORKER_CONNECTIONS_TOTAL, WORKER_BYTES_UPSTREAM, WORKER_BYTES_DOWNSTREAM,
        CONNECTION_DURATION, UPSTREAM_CONNECT_TIME);

    /** The per-client table: in JSON always, in Prometheus only with {@code metrics_client_labels}. */
    public static final List<MetricFamily> CLIENTS = List.of(
        CLIENT_CONNECTIONS_ACTIVE, CLIENT_CONNECTIONS_TOTAL, CLIENT_BYTES_UPSTREAM, CLIENT_BYTES_DOWNSTREAM);

    private Families()
    {
    }

    /**
     * @param clientLabelsInPrometheus whether the per-client families go into the Prometheus text.
     * @return a registry with every family of the proxy declared.
     */
    public static MetricsRegistry newRegistry(final boolean clientLabelsInPrometheus)
    {
        final MetricsRegistry registry = new MetricsRegistry();
        for (final MetricFamily family : CORE)
        {
            registry.declare(family, family != UPSTREAM_CONNECT_FAILURES);
        }
        RouteFamilies.declare(registry);
        for (final MetricFamily family : CLIENTS)
        {
            registry.declare(family, clientLabelsInPrometheus);
        }
        AccessFamilies.declare(registry);
        ReloadFamilies.declare(registry);
        UpstreamFamilies.declare(registry);
        return registry;
    }
}
