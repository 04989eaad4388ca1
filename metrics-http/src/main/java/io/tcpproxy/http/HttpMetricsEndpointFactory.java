package io.tcpproxy.http;

import io.tcpproxy.admin.AdminOps;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsEndpointFactory;
import io.tcpproxy.metrics.MetricsSnapshot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Starts the NIO HTTP/1.1 metrics responder; registered for {@link java.util.ServiceLoader} under
 * {@link MetricsEndpointFactory}. It serves {@code GET /metrics} (Prometheus text format 0.0.4),
 * {@code GET /metrics?format=json}, {@code GET /healthz} (200 while serving, 503 once draining), the live dashboard
 * at {@code GET /} and its Server-Sent Events at {@code GET /events}, all on one thread.
 */
public final class HttpMetricsEndpointFactory implements MetricsEndpointFactory
{
    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public HttpMetricsEndpointFactory()
    {
    }

    /**
     * {@inheritDoc}
     */
    public MetricsEndpoint start(final InetSocketAddress bindAddress, final Supplier<MetricsSnapshot> snapshots)
        throws IOException
    {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(snapshots, "snapshots");
        return new HttpMetricsEndpoint(bindAddress, snapshots, HttpLimits.defaults());
    }

    /**
     * {@inheritDoc} The admin routes ({@code /admin/...}) answer while {@link AdminOps#adminToken()} is not empty.
     */
    public MetricsEndpoint start(
        final InetSocketAddress bindAddress, final Supplier<MetricsSnapshot> snapshots, final AdminOps admin)
        throws IOException
    {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(admin, "admin");
        return new HttpMetricsEndpoint(bindAddress, snapshots, HttpLimits.defaults(),
            routes -> routes.addPrefix(AdminHandler.PREFIX, new AdminHandler(admin)));
    }
}
