package io.tcpproxy.engine;

import java.net.InetSocketAddress;

/**
 * Chooses the server a connection connects to, on the worker's thread, at connect time. Today's single target is
 * one implementation; a pool with a balancer is another.
 */
interface UpstreamSelector
{
    /**
     * @param connection about to connect upstream.
     * @return the address to connect to; unresolved when the target's name does not resolve.
     */
    InetSocketAddress select(Connection connection);
}
