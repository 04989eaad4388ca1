package io.tcpproxy.upstream;

/**
 * An immutable set of servers with the balancer built for it: published whole, so a worker reads one consistent
 * set per selection.
 */
final class ServerSet
{
    final UpstreamServer[] servers;
    final Balancer balancer;
    final boolean hasBackups;

    ServerSet(final UpstreamServer[] servers, final Balance balance)
    {
        this.servers = servers;
        this.balancer = Balancer.create(balance, servers);
        boolean backups = false;
        for (final UpstreamServer server : servers)
        {
            backups |= server.backup();
        }
        this.hasBackups = backups;
    }

    /**
     * @return true when a non-backup server this client has not tried yet is up (full ones count: backups take
     * over only when the others are down, not when they are busy).
     */
    boolean primaryAvailable(final ConnectAttempt attempt, final long nowNs)
    {
        for (final UpstreamServer server : servers)
        {
            if (!server.backup() && server.isAvailable(nowNs) && !attempt.hasTried(server))
            {
                return true;
            }
        }
        return false;
    }

    int availableOtherThan(final UpstreamServer except, final long nowNs)
    {
        int count = 0;
        for (final UpstreamServer server : servers)
        {
            if (server != except && server.isAvailable(nowNs))
            {
                count++;
            }
        }
        return count;
    }
}
