package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.relay.Connection;

import java.net.InetSocketAddress;

/**
 * {@code target_addr} given as a host name: every connection goes to the one target, as last resolved by the
 * {@link TargetResolver}, with one try (as before pools existed). A literal address is a pool of one instead.
 */
public final class SingleTargetSelector implements UpstreamSelector
{
    private final EngineContext context;

    public SingleTargetSelector(final EngineContext context)
    {
        this.context = context;
    }

    public InetSocketAddress next(final Connection connection, final long nowNs)
    {
        return connection.connectTries == 0 ? context.target() : null;
    }

    public CloseReason exhaustedReason(final Connection connection)
    {
        return connection.lastConnectFailure;
    }

    public void onConnectFailure(final Connection connection, final CloseReason reason)
    {
        // one try only: nothing to learn
    }

    public void onConnected(final Connection connection)
    {
        // nothing counted per server here
    }
}
