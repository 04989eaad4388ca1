package io.tcpproxy.config;

import java.util.Objects;

/**
 * Settings of one pool that differ from the top-level ones ({@code [pool.NAME]} with {@code balance} and a
 * {@code [pool.NAME.health_check]} table). What is not set here is inherited from the top level. Immutable.
 */
public final class PoolSettings
{
    private final String name;
    private final Balance balance;
    private final HealthCheck healthCheck;

    private PoolSettings(final Builder builder)
    {
        name = builder.name;
        balance = builder.balance;
        healthCheck = builder.healthCheck;
    }

    /**
     * @param name the pool's name, as servers and routes name it.
     * @return a builder inheriting everything.
     */
    public static Builder builder(final String name)
    {
        return new Builder(PoolName.check(name));
    }

    /** @return the pool's name. */
    public String name()
    {
        return name;
    }

    /** @return the pool's own balancing, or null to inherit {@code balance}. */
    public Balance balance()
    {
        return balance;
    }

    /** @return the pool's own health check, or null to inherit {@code [health_check]}. */
    public HealthCheck healthCheck()
    {
        return healthCheck;
    }

    /**
     * @return these settings with what they leave unset taken from the top level: what a pool of this name runs with.
     */
    PoolSettings over(final Balance topBalance, final HealthCheck topHealthCheck)
    {
        final Builder effective = new Builder(name);
        effective.balance = balance != null ? balance : topBalance;
        effective.healthCheck = healthCheck != null ? healthCheck : topHealthCheck;
        return effective.build();
    }

    public boolean equals(final Object o)
    {
        return o instanceof PoolSettings && ((PoolSettings)o).name.equals(name) &&
            ((PoolSettings)o).balance == balance && Objects.equals(((PoolSettings)o).healthCheck, healthCheck);
    }

    public int hashCode()
    {
        return Objects.hash(name, balance, healthCheck);
    }

    public String toString()
    {
        return "PoolSettings{name=" + name + ", balance=" + balance + ", health_check=" + healthCheck + "}";
    }

    /** Builds {@link PoolSettings}. */
    public static final class Builder
    {
        final String name;
        Balance balance;
        HealthCheck healthCheck;

        private Builder(final String name)
        {
            this.name = name;
        }

        /** @param balance the pool's own balancing. @return this builder. */
        public Builder balance(final Balance balance)
        {
            this.balance = Objects.requireNonNull(balance, "balance");
            return this;
        }

        /** @param healthCheck the pool's own active health check. @return this builder. */
        public Builder healthCheck(final HealthCheck healthCheck)
        {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /** @return the settings. */
        public PoolSettings build()
        {
            return new PoolSettings(this);
        }
    }
}
