package io.tcpproxy.upstream;

import java.util.Locale;

/**
 * How a pool picks a server for a new client: the {@code balance} setting.
 */
public enum Balance
{
    /** Smooth weighted round robin (no bursts to the heaviest server, exact over a cycle). */
    ROUND_ROBIN,
    /** Fewest active connections relative to weight, counted across all workers. */
    LEAST_CONNECTIONS,
    /** The less loaded of two servers picked at random in proportion to weight (power of two choices). */
    RANDOM_TWO,
    /** Consistent (rendezvous) hash of the client IP: the same client goes to the same server. */
    SOURCE_HASH;

    private final String label = name().toLowerCase(Locale.ROOT);

    /**
     * @return the name as written in the configuration, e.g. {@code round_robin}.
     */
    public String label()
    {
        return label;
    }

    /**
     * @param text the configured value.
     * @return the matching algorithm.
     * @throws IllegalArgumentException naming the accepted values when the text matches none.
     */
    public static Balance parse(final String text)
    {
        for (final Balance balance : values())
        {
            if (balance.label.equals(text))
            {
                return balance;
            }
        }
        throw new IllegalArgumentException(
            "expected one of round_robin, least_connections, random_two, source_hash, got \"" + text + "\"");
    }
}
