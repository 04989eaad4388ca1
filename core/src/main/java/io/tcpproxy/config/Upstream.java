package io.tcpproxy.config;

import java.util.Objects;

/**
 * One server of a pool ({@code [[upstream]]}), as configured: a host name with several addresses is still one entry
 * here (the resolver makes one server per address). Immutable.
 */
public final class Upstream
{
    /** The pool a server joins when it names none. */
    public static final String DEFAULT_POOL = "default";

    private final HostPort addr;
    private final int weight;
    private final boolean backup;
    private final int maxConnections;
    private final String pool;

    private Upstream(final Builder builder)
    {
        addr = builder.addr;
        weight = builder.weight;
        backup = builder.backup;
        maxConnections = builder.maxConnections;
        pool = builder.pool;
    }

    /**
     * @param addr HOST:PORT.
     * @return a server with every other setting at its default.
     * @throws IllegalArgumentException when the address does not parse.
     */
    public static Upstream of(final String addr)
    {
        return builder().addr(addr).build();
    }

    /** @return a builder holding every default and no address yet. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the server's HOST:PORT as configured. */
    public HostPort addr()
    {
        return addr;
    }

    /** @return the weight, 1 to 256. */
    public int weight()
    {
        return weight;
    }

    /** @return whether it takes traffic only while no non-backup server of its pool is up. */
    public boolean backup()
    {
        return backup;
    }

    /** @return the most open connections to this server, 0 = no limit. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @return the pool's name. */
    public String pool()
    {
        return pool;
    }

    public boolean equals(final Object o)
    {
        if (!(o instanceof Upstream))
        {
            return false;
        }
        final Upstream that = (Upstream)o;
        return addr.equals(that.addr) && weight == that.weight && backup == that.backup &&
            maxConnections == that.maxConnections && pool.equals(that.pool);
    }

    public int hashCode()
    {
        return Objects.hash(addr, weight, backup, maxConnections, pool);
    }

    public String toString()
    {
        return "Upstream{addr=" + addr + ", weight=" + weight + ", backup=" + backup + ", max_connections=" +
            maxConnections + ", pool=" + pool + "}";
    }

    /** Builds an {@link Upstream}; each setter checks its value like the file does. */
    public static final class Builder
    {
        HostPort addr;
        int weight = 1;
        boolean backup = false;
        int maxConnections = 0;
        String pool = DEFAULT_POOL;

        private Builder()
        {
        }

        /** @param addr HOST:PORT (required). @return this builder. */
        public Builder addr(final String addr)
        {
            ConfigKey.UPSTREAM_ADDR.setIn(this, addr);
            return this;
        }

        /** @param weight 1 to 256. @return this builder. */
        public Builder weight(final int weight)
        {
            ConfigKey.UPSTREAM_WEIGHT.setIn(this, weight);
            return this;
        }

        /** @param backup take traffic only while no non-backup server is up. @return this builder. */
        public Builder backup(final boolean backup)
        {
            ConfigKey.UPSTREAM_BACKUP.setIn(this, backup);
            return this;
        }

        /** @param count most open connections to this server, 0 = no limit. @return this builder. */
        public Builder maxConnections(final int count)
        {
            ConfigKey.UPSTREAM_MAX_CONNECTIONS.setIn(this, count);
            return this;
        }

        /** @param pool the pool's name. @return this builder. */
        public Builder pool(final String pool)
        {
            ConfigKey.UPSTREAM_POOL.setIn(this, pool);
            return this;
        }

        /**
         * @return the server.
         * @throws IllegalArgumentException when no address was set.
         */
        public Upstream build()
        {
            if (addr == null)
            {
                throw new IllegalArgumentException("addr is required, e.g. addr = \"10.0.0.1:5432\"");
            }
            return new Upstream(this);
        }
    }
}
