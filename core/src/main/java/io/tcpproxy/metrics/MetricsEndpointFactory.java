package io.tcpproxy.metrics;

import io.tcpproxy.admin.AdminOps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Starts a metrics endpoint; found with {@link java.util.ServiceLoader} so the core does not depend on the HTTP
 * module. {@code Proxy.start} uses the first one on the class path when {@code metrics_addr} is set.
 */
public interface MetricsEndpointFactory
{
    /**
     * Bind and start serving.
     *
     * @param bindAddress where to listen (port 0 binds a free port).
     * @param snapshots   the latest snapshot each time it is called (cheap: a volatile read).
     * @return the running endpoint.
     * @throws IOException if the address cannot be bound.
     */
    MetricsEndpoint start(InetSocketAddress bindAddress, Supplier<MetricsSnapshot> snapshots) throws IOException;

    /**
     * Bind and start serving, with the admin API ({@code /admin/...}) served while {@link AdminOps#adminToken()} is
     * not empty. An endpoint without an admin API ignores {@code admin}.
     *
     * @param bindAddress where to listen (port 0 binds a free port).
     * @param snapshots   the latest snapshot each time it is called (cheap: a volatile read).
     * @param admin       what the admin routes may do to the proxy.
     * @return the running endpoint.
     * @throws IOException if the address cannot be bound.
     */
    default MetricsEndpoint start(
        final InetSocketAddress bindAddress, final Supplier<MetricsSnapshot> snapshots, final AdminOps admin)
        throws IOException
    {
        return start(bindAddress, snapshots);
    }
}
