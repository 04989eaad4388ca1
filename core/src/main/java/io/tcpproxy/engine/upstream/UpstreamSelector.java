package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;

import java.net.InetSocketAddress;

/**
 * Chooses the server a connection connects to, on the worker's thread, at connect time, and learns how each try
 * went. Today's single target name is one implementation; pools with a balancer are another.
 */
public interface UpstreamSelector
{
    /**
     * @param connection about to try a connect (first try or a retry after {@link #onConnectFailure}).
     * @param nowNs      the worker's time.
     * @return the address for this try (unresolved when a name does not resolve), or null when no more tries are
     * to be made: close with {@link #exhaustedReason}.
     */
    InetSocketAddress next(Connection connection, long nowNs);

    /**
     * @param connection whose {@link #next} returned null.
     * @return the reason to close it with.
     */
    CloseReason exhaustedReason(Connection connection);

    /**
     * The try failed (not for a local descriptor shortage, which is no server's fault).
     *
     * @param connection whose try failed.
     * @param reason     why.
     */
    void onConnectFailure(Connection connection, CloseReason reason);

    /** @param connection connected: relaying starts. */
    void onConnected(Connection connection);
}
