package io.tcpproxy.engine.admission;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;

/**
 * Decides whether a client may be served (allow/deny lists, per-client connection caps and connect rates), on the
 * worker's thread, before any upstream connect or relay buffer. Shared by all workers: implementations are
 * thread-safe. It judges {@link Connection#sourceAddress}: at accept, or after an accepted PROXY-protocol header.
 */
public interface AccessGate
{
    /** Admits everyone and keeps no state. */
    AccessGate OPEN = new AccessGate()
    {
        public CloseReason admit(final Connection connection, final long nowNs)
        {
            return null;
        }

        public void release(final Connection connection)
        {
        }
    };

    /**
     * @param connection whose {@link Connection#sourceAddress} to judge.
     * @param nowNs      the worker's clock.
     * @return null to admit it (then {@link #release(Connection)} must follow when it closes), or why to reject it.
     */
    CloseReason admit(Connection connection, long nowNs);

    /** @param connection admitted by {@link #admit(Connection, long)}, now closed. */
    void release(Connection connection);
}
