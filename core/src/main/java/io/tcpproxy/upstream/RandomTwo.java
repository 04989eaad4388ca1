package io.tcpproxy.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: two different eligible servers drawn at random in proportion to their weights; the one
 * with fewer active connections relative to weight wins. Nearly as even as least connections without every worker
 * herding onto the same least-loaded server between two count updates.
 */
final class RandomTwo extends Balancer
{
    RandomTwo(final UpstreamServer[] servers)
    {
        super(servers);
    }

    @Override
    UpstreamServer pick(final ConnectAttempt attempt, final boolean backupTier, final long nowNs)
    {
        long totalWeight = 0;
        int eligibleCount = 0;
        UpstreamServer only = null;
        for (final UpstreamServer server : servers)
        {
            if (eligible(server, attempt, backupTier, nowNs))
            {
                totalWeight += server.weight();
                eligibleCount++;
                only = server;
            }
        }
        if (eligibleCount <= 1)
        {
            return only;
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final UpstreamServer first = draw(attempt, backupTier, nowNs, random.nextLong(totalWeight), null);
        final long restWeight = first == null ? 0 : totalWeight - first.weight();
        if (restWeight <= 0)
        {
            return first; // eligibility changed under us between the passes
        }
        final UpstreamServer second = draw(attempt, backupTier, nowNs, random.nextLong(restWeight), first);
        if (second == null)
        {
            return first;
        }
        return lessLoaded(second, first) ? second : first;
    }

    private UpstreamServer draw(
        final ConnectAttempt attempt,
        final boolean backupTier,
        final long nowNs,
        final long point,
        final UpstreamServer without)
    {
        long remaining = point;
        UpstreamServer last = null;
        for (final UpstreamServer server : servers)
        {
            if (server != without && eligible(server, attempt, backupTier, nowNs))
            {
                last = server;
                remaining -= server.weight();
                if (remaining < 0)
                {
                    return server;
                }
            }
        }
        return last;
    }
}
