package io.tcpproxy.upstream;

import java.net.InetAddress;

/**
 * One client's way through the pool: which servers it tried and how many tries are spent. Owned by one worker and
 * reused for the next client with {@link #reset(InetAddress)}, so choosing a server allocates nothing.
 */
public final class ConnectAttempt
{
    private static final int RACE_SKIPS = 8;

    private final UpstreamServer[] excluded;
    private final int maxTries;
    private int excludedCount;
    private int tries;
    private int clientHash;
    private UpstreamServer current;

    ConnectAttempt(final int maxTries)
    {
        this.maxTries = maxTries;
        this.excluded = new UpstreamServer[maxTries + RACE_SKIPS];
    }

    /**
     * Start over for a new client.
     *
     * @param client the client's IP (only its hash is kept; null hashes as 0).
     * @return this.
     */
    public ConnectAttempt reset(final InetAddress client)
    {
        return reset(client == null ? 0 : client.hashCode());
    }

    /**
     * Start over for a new client given by a key of the caller's choice.
     *
     * @param clientKey hashed for {@code source_hash}.
     * @return this.
     */
    public ConnectAttempt reset(final int clientKey)
    {
        for (int i = 0; i < excludedCount; i++)
        {
            excluded[i] = null;
        }
        excludedCount = 0;
        tries = 0;
        current = null;
        clientHash = mix(clientKey);
        return this;
    }

    /** @return tries spent so far: 0 after a select that found no server means {@code no_upstream}. */
    public int tries()
    {
        return tries;
    }

    /** @return the server chosen by the last successful select, or null. */
    public UpstreamServer current()
    {
        return current;
    }

    int clientHash()
    {
        return clientHash;
    }

    boolean triesLeft()
    {
        return tries < maxTries;
    }

    boolean hasTried(final UpstreamServer server)
    {
        for (int i = 0; i < excludedCount; i++)
        {
            if (excluded[i] == server)
            {
                return true;
            }
        }
        return false;
    }

    boolean canSkipMore()
    {
        return excludedCount < excluded.length;
    }

    void skip(final UpstreamServer server)
    {
        excluded[excludedCount++] = server;
    }

    void chose(final UpstreamServer server)
    {
        tries++;
        current = server;
        if (excludedCount < excluded.length)
        {
            excluded[excludedCount++] = server;
        }
    }

    static int mix(final int key)
    {
        // murmur3 finalizer: spreads consecutive IPs over the whole int range
        int h = key;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
