package io.tcpproxy.config;

/** How a pool picks a server for a new connection ({@code balance}). */
public enum Balance
{
    /** Smooth weighted round robin: no bursts to the heaviest server. */
    ROUND_ROBIN,
    /** Fewest active connections relative to weight, counted across all workers. */
    LEAST_CONNECTIONS,
    /** The less loaded of two servers picked at random (power of two choices). */
    RANDOM_TWO,
    /** A consistent hash of the client IP: a client sticks to its server. */
    SOURCE_HASH
}
