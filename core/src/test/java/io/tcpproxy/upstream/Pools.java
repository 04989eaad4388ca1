package io.tcpproxy.upstream;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds pools of literal-address servers for tests (nothing listens on them unless a test says so).
 */
final class Pools
{
    private Pools()
    {
    }

    static List<ServerSpec> servers(final int... weights)
    {
        final List<ServerSpec> specs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++)
        {
            specs.add(new ServerSpec("127.0.0.1:" + (20001 + i), weights[i], false, 0));
        }
        return specs;
    }

    static UpstreamPool pool(final Balance balance, final int attempts, final List<ServerSpec> servers)
    {
        return pool(balance, attempts, servers, new FakeClock(), UpstreamListener.NONE);
    }

    static UpstreamPool pool(
        final Balance balance,
        final int attempts,
        final List<ServerSpec> servers,
        final FakeClock clock,
        final UpstreamListener listener)
    {
        final PoolSpec spec = new PoolSpec("default", servers, balance, attempts, null, PassiveHealthSpec.defaults(),
            PoolSpec.DEFAULT_DNS_REFRESH_SECS);
        return UpstreamPool.create(spec, Resolver.SYSTEM, clock, listener);
    }

    /** Select a server for a fresh client and count it as connected (a long-lived connection). */
    static UpstreamServer connect(final UpstreamPool pool, final ConnectAttempt attempt, final int clientKey)
    {
        final UpstreamServer server = pool.select(attempt.reset(clientKey));
        if (server != null)
        {
            pool.onConnectSuccess(server);
        }
        return server;
    }
}
