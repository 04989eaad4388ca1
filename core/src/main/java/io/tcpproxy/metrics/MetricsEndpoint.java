package io.tcpproxy.metrics;

import java.net.InetSocketAddress;

/**
 * A running metrics endpoint (the {@code metrics-http} module provides one through {@link MetricsEndpointFactory}).
 */
public interface MetricsEndpoint extends AutoCloseable
{
    /**
     * @return the address actually bound (the real port when 0 was asked for).
     */
    InetSocketAddress localAddress();

    /**
     * Stop serving and release the thread and every socket.
     */
    void close();
}
