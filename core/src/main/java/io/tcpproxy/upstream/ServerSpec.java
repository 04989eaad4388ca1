package io.tcpproxy.upstream;

import io.tcpproxy.config.HostPort;

/**
 * One configured {@code [[upstream]]} entry, as written. A host name may stand for several servers (one per address).
 *
 * @param addr           {@code HOST:PORT} as configured.
 * @param weight         1 to 256.
 * @param backup         used only while no non-backup server is up.
 * @param maxConnections per server; 0 = no limit.
 */
public record ServerSpec(String addr, int weight, boolean backup, int maxConnections)
{
    /** The largest weight accepted. */
    public static final int MAX_WEIGHT = 256;

    /**
     * Validate.
     *
     * @throws IllegalArgumentException saying what was expected.
     */
    public ServerSpec
    {
        final HostPort parsed = HostPort.parse(addr);
        if (parsed.port() == 0)
        {
            throw new IllegalArgumentException("upstream addr needs a port 1-65535, got \"" + addr + "\"");
        }
        if (weight < 1 || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight must be 1 to " + MAX_WEIGHT + ", got " + weight);
        }
        if (maxConnections < 0)
        {
            throw new IllegalArgumentException("max_connections must be 0 (no limit) or more, got " + maxConnections);
        }
    }

    /**
     * A server with weight 1, not a backup, without a connection limit.
     *
     * @param addr {@code HOST:PORT}.
     * @return the spec.
     */
    public static ServerSpec of(final String addr)
    {
        return new ServerSpec(addr, 1, false, 0);
    }

    HostPort hostPort()
    {
        return HostPort.parse(addr);
    }
}
