package io.tcpproxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The eligible server with the fewest active connections relative to its weight, counted across all workers. The
 * scan starts at a random server so that ties (e.g. an idle pool) spread instead of all going to the first.
 */
final class LeastConnections extends Balancer
{
    LeastConnections(final UpstreamServer[] servers)
    {
        super(servers);
    }

    @Override
    UpstreamServer pick(final ConnectAttempt attempt, final boolean backupTier, final long nowNs)
    {
        final int count = servers.length;
        final int start = count == 1 ? 0 : ThreadLocalRandom.current().nextInt(count);
        UpstreamServer best = null;
        for (int n = 0; n < count; n++)
        {
            int i = start + n;
            if (i >= count)
            {
                i -= count;
            }
            final UpstreamServer server = servers[i];
            if (eligible(server, attempt, backupTier, nowNs) && (best == null || lessLoaded(server, best)))
            {
                best = server;
            }
        }
        return best;
    }
}
