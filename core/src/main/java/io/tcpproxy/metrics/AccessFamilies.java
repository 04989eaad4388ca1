package io.tcpproxy.metrics;

/**
 * Metric families of access control beyond {@link Families#CONNECTIONS_REJECTED} (which carries the {@code reason}
 * label): the JSON document keeps its seed key {@code rejected_connections} as the sum over every reason.
 */
public final class AccessFamilies
{
    /**
     * Every rejection, whatever its reason: JSON only ({@code rejected_connections}); Prometheus users sum
     * {@code tcp_proxy_connections_rejected_total} over {@code reason}.
     */
    public static final MetricFamily CONNECTIONS_REJECTED_ALL = MetricFamily.counter(
        "tcp_proxy_connections_rejected_all_total", "Clients refused without being served, every reason together.")
        .json("rejected_connections");

    private AccessFamilies()
    {
    }

    /** @param registry where to declare the families of access control. */
    static void declare(final MetricsRegistry registry)
    {
        registry.declare(CONNECTIONS_REJECTED_ALL, false);
    }
}
