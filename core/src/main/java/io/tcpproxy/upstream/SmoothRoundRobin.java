package io.tcpproxy.upstream;

/**
 * Smooth weighted round robin: every pick adds each eligible server's weight to its running score, takes the
 * highest score and subtracts the eligible total from it. Over a cycle of sum(weights) picks each server is chosen
 * exactly weight times, and the heaviest is interleaved with the others instead of taken in a burst.
 * <p>
 * One instance is shared by all workers behind a lock rather than one per worker: per-worker instances would each
 * be exact, but their sum would not (every worker starts its cycle on the heaviest server, so N workers that each
 * take one client send all N to it). The lock is held for one pass over the servers (tens of nanoseconds for a
 * handful) and taken once per new upstream connection, never per byte.
 */
final class SmoothRoundRobin extends Balancer
{
    private final long[] scores;

    SmoothRoundRobin(final UpstreamServer[] servers)
    {
        super(servers);
        this.scores = new long[servers.length];
    }

    @Override
    UpstreamServer pick(final ConnectAttempt attempt, final boolean backupTier, final long nowNs)
    {
        synchronized (scores)
        {
            int best = -1;
            long total = 0;
            for (int i = 0; i < servers.length; i++)
            {
                final UpstreamServer server = servers[i];
                if (!eligible(server, attempt, backupTier, nowNs))
                {
                    continue;
                }
                scores[i] += server.weight();
                total += server.weight();
                if (best < 0 || scores[i] > scores[best])
                {
                    best = i;
                }
            }
            if (best < 0)
            {
                return null;
            }
            scores[best] -= total;
            return servers[best];
        }
    }
}
