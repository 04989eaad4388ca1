package io.tcpproxy.upstream;

/**
 * Weighted rendezvous (highest random weight) hashing of the client IP: each eligible server gets a score from
 * hash(client, server) and the highest wins. A client keeps its server while that server stays eligible; removing
 * or losing a server moves only the clients it had (each to its own next-best), and the others stay put. The
 * score {@code weight / -ln(u)} with {@code u} uniform in (0, 1) gives each server a share proportional to its weight.
 * No ring to build or rebuild, and a pick is one pass over the servers.
 */
final class SourceHash extends Balancer
{
    private final long[] serverKeys;

    SourceHash(final UpstreamServer[] servers)
    {
        super(servers);
        this.serverKeys = new long[servers.length];
        for (int i = 0; i < servers.length; i++)
        {
            // the label, not the array index, so a server keeps its clients when DNS adds or removes others
            serverKeys[i] = mix64(servers[i].label().hashCode() * 0x9E3779B97F4A7C15L);
        }
    }

    @Override
    UpstreamServer pick(final ConnectAttempt attempt, final boolean backupTier, final long nowNs)
    {
        final long clientKey = attempt.clientHash() * 0xC2B2AE3D27D4EB4FL;
        int best = -1;
        double bestScore = 0;
        for (int i = 0; i < servers.length; i++)
        {
            final UpstreamServer server = servers[i];
            if (!eligible(server, attempt, backupTier, nowNs))
            {
                continue;
            }
            final double score = score(clientKey, serverKeys[i], server.weight());
            if (best < 0 || score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }
        return best < 0 ? null : servers[best];
    }

    static double score(final long clientKey, final long serverKey, final int weight)
    {
        final long hash = mix64(clientKey ^ serverKey);
        final double unit = ((hash >>> 11) + 0.5) * 0x1.0p-53; // strictly inside (0, 1)
        return weight / -Math.log(unit);
    }

    static long mix64(final long key)
    {
        // splitmix64 finalizer
        long z = key;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
