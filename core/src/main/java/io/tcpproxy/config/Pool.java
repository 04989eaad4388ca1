package io.tcpproxy.config;

import java.util.List;

/**
 * A pool as it runs: its servers and its effective balancing and health check (its own, or the top-level ones).
 * {@code target_addr} makes a pool named {@code default} of one server. Immutable.
 */
public final class Pool
{
    private final String name;
    private final Balance balance;
    private final HealthCheck healthCheck;
    private final List<Upstream> upstreams;

    Pool(final String name, final Balance balance, final HealthCheck healthCheck, final List<Upstream> upstreams)
    {
        this.name = name;
        this.balance = balance;
        this.healthCheck = healthCheck;
        this.upstreams = List.copyOf(upstreams);
    }

    /** @return the pool's name. */
    public String name()
    {
        return name;
    }

    /** @return how a server is picked. */
    public Balance balance()
    {
        return balance;
    }

    /** @return the active health check, or null when servers are not checked actively. */
    public HealthCheck healthCheck()
    {
        return healthCheck;
    }

    /** @return the servers in file order (unmodifiable, never empty). */
    public List<Upstream> upstreams()
    {
        return upstreams;
    }

    public boolean equals(final Object o)
    {
        return o instanceof Pool && ((Pool)o).name.equals(name) && ((Pool)o).balance == balance &&
            java.util.Objects.equals(((Pool)o).healthCheck, healthCheck) && ((Pool)o).upstreams.equals(upstreams);
    }

    public int hashCode()
    {
        return name.hashCode() * 31 + upstreams.hashCode();
    }

    public String toString()
    {
        return "Pool{name=" + name + ", balance=" + balance + ", health_check=" + healthCheck + ", upstreams=" +
            upstreams + "}";
    }
}
