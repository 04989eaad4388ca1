package io.tcpproxy.config;

import java.util.List;

/**
 * A pool as it runs: its servers and its effective settings (its own balancing and health check, or the top-level
 * ones). {@code target_addr} makes a pool named {@code default} of one server. Immutable.
 */
public final class Pool
{
    private final PoolSettings effective;
    private final List<Upstream> upstreams;

    Pool(final PoolSettings effective, final List<Upstream> upstreams)
    {
        this.effective = effective;
        this.upstreams = List.copyOf(upstreams);
    }

    /** @return the pool's name. */
    public String name()
    {
        return effective.name();
    }

    /** @return how a server is picked. */
    public Balance balance()
    {
        return effective.balance();
    }

    /** @return the active health check, or null when servers are not checked actively. */
    public HealthCheck healthCheck()
    {
        return effective.healthCheck();
    }

    /** @return the servers in file order (unmodifiable, never empty). */
    public List<Upstream> upstreams()
    {
        return upstreams;
    }

    public boolean equals(final Object o)
    {
        return o instanceof Pool && ((Pool)o).effective.equals(effective) && ((Pool)o).upstreams.equals(upstreams);
    }

    public int hashCode()
    {
        return effective.name().hashCode() * 31 + upstreams.hashCode();
    }

    public String toString()
    {
        return "Pool{name=" + name() + ", balance=" + balance() + ", health_check=" + healthCheck() + ", upstreams=" +
            upstreams + "}";
    }
}
