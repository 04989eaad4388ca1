package io.tcpproxy.upstream;

/**
 * Picks one server of a fixed set for a client. A balancer is built per server set (a DNS change builds a new one)
 * and shared by all workers, so implementations are thread-safe; picking allocates nothing.
 */
abstract class Balancer
{
    final UpstreamServer[] servers;

    Balancer(final UpstreamServer[] servers)
    {
        this.servers = servers;
    }

    /**
     * @param attempt    the client's attempt: its hash and the servers it already tried.
     * @param backupTier pick among the backup servers (true) or the others (false).
     * @param nowNs      the pool clock's time, for ejection deadlines.
     * @return an eligible server, or null when none is.
     */
    abstract UpstreamServer pick(ConnectAttempt attempt, boolean backupTier, long nowNs);

    static boolean eligible(
        final UpstreamServer server, final ConnectAttempt attempt, final boolean backupTier, final long nowNs)
    {
        return server.backup() == backupTier && server.isAvailable(nowNs) && !server.isFull() &&
            !attempt.hasTried(server);
    }

    static Balancer create(final Balance balance, final UpstreamServer[] servers)
    {
        switch (balance)
        {
            case ROUND_ROBIN:
                return new SmoothRoundRobin(servers);
            case LEAST_CONNECTIONS:
                return new LeastConnections(servers);
            case RANDOM_TWO:
                return new RandomTwo(servers);
            case SOURCE_HASH:
                return new SourceHash(servers);
            default:
                throw new IllegalArgumentException("unknown balance " + balance);
        }
    }

    /**
     * @return true when a's load relative to its weight is below b's.
     */
    static boolean lessLoaded(final UpstreamServer a, final UpstreamServer b)
    {
        return (long)a.activeConnections() * b.weight() < (long)b.activeConnections() * a.weight();
    }
}
