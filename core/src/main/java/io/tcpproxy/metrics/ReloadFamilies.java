package io.tcpproxy.metrics;

import io.tcpproxy.metrics.MetricFamily.ValueKind;

/**
 * Families of configuration reloads and the admin API (issue 16). Counted from the thread that reloads or serves
 * the admin request, through {@link MetricsCollector#update}.
 */
public final class ReloadFamilies
{
    /** Reloads by result: {@code applied} or {@code rejected}. */
    public static final MetricFamily RELOADS = MetricFamily.counter("tcp_proxy_config_reloads_total",
        "Configuration reloads (SIGHUP or POST /admin/reload), by result: applied or rejected.", "result")
        .json("config_reloads");
    /** When the configuration in force was loaded. */
    public static final MetricFamily LAST_RELOAD = MetricFamily.gauge(
        "tcp_proxy_config_last_reload_timestamp_seconds",
        "Unix time when the configuration in force was loaded (at start, then at each applied reload).")
        .valueKind(ValueKind.DOUBLE).json("config_last_reload_timestamp_seconds");
    /** 1 for the hash of the configuration in force. */
    public static final MetricFamily INFO = MetricFamily.gauge("tcp_proxy_config_info",
        "1 for the short hash of the configuration file in force (only that series exists).", "hash")
        .json("config_hash");
    /** Admin requests by result. */
    public static final MetricFamily ADMIN_REQUESTS = MetricFamily.counter("tcp_proxy_admin_requests_total",
        "Admin API requests, by result: ok, unauthorized, not_found, method_not_allowed, error.", "result")
        .json("admin_requests");

    private ReloadFamilies()
    {
    }

    static void declare(final MetricsRegistry registry)
    {
        registry.declare(RELOADS);
        registry.declare(LAST_RELOAD);
        registry.declare(INFO);
        registry.declare(ADMIN_REQUESTS);
        registry.cell(RELOADS, "applied");
        registry.cell(RELOADS, "rejected");
    }

    /**
     * @param registry        the collector's registry (on its thread).
     * @param previousHash    the hash in force so far, or null at start.
     * @param hash            the hash now in force.
     * @param epochMs         when it came into force.
     */
    public static void configInForce(
        final MetricsRegistry registry, final String previousHash, final String hash, final long epochMs)
    {
        if (null != previousHash && !previousHash.equals(hash))
        {
            registry.remove(INFO, previousHash);
        }
        registry.cell(INFO, hash).set(1);
        registry.cell(LAST_RELOAD).setDouble(epochMs / 1000.0);
    }
}
