package io.tcpproxy.engine;

import java.net.InetSocketAddress;

/**
 * {@code target_addr}: every connection goes to the one target, as last resolved by the {@link TargetResolver}.
 */
final class SingleTargetSelector implements UpstreamSelector
{
    private final EngineContext context;

    SingleTargetSelector(final EngineContext context)
    {
        this.context = context;
    }

    public InetSocketAddress select(final Connection connection)
    {
        return context.target();
    }
}
