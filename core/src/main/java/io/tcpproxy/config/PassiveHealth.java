package io.tcpproxy.config;

/**
 * Passive health ({@code [passive_health]}): a server whose connects for relayed traffic fail
 * {@link #consecutiveFailures()} times in a row is taken out for {@link #ejectionSecs()} (doubled on each repeat,
 * at most 300 s). Immutable.
 */
public final class PassiveHealth
{
    private final int consecutiveFailures;
    private final int ejectionSecs;

    private PassiveHealth(final Builder builder)
    {
        consecutiveFailures = builder.consecutiveFailures;
        ejectionSecs = builder.ejectionSecs;
    }

    /** @return a builder holding every default. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return connect failures in a row that take a server out; 0 disables passive ejection. */
    public int consecutiveFailures()
    {
        return consecutiveFailures;
    }

    /** @return seconds a server stays out the first time. */
    public int ejectionSecs()
    {
        return ejectionSecs;
    }

    public boolean equals(final Object o)
    {
        return o instanceof PassiveHealth && ((PassiveHealth)o).consecutiveFailures == consecutiveFailures &&
            ((PassiveHealth)o).ejectionSecs == ejectionSecs;
    }

    public int hashCode()
    {
        return consecutiveFailures * 31 + ejectionSecs;
    }

    public String toString()
    {
        return "PassiveHealth{consecutive_failures=" + consecutiveFailures + ", ejection_secs=" + ejectionSecs + "}";
    }

    /** Builds {@link PassiveHealth}; starts with every default. */
    public static final class Builder
    {
        int consecutiveFailures = 5;
        int ejectionSecs = 30;

        private Builder()
        {
        }

        /** @param count connect failures in a row that take a server out, 0 = never. @return this builder. */
        public Builder consecutiveFailures(final int count)
        {
            ConfigKey.PASSIVE_HEALTH_CONSECUTIVE_FAILURES.setIn(this, count);
            return this;
        }

        /** @param secs how long a server stays out the first time. @return this builder. */
        public Builder ejectionSecs(final int secs)
        {
            ConfigKey.PASSIVE_HEALTH_EJECTION_SECS.setIn(this, secs);
            return this;
        }

        /** @return the settings. */
        public PassiveHealth build()
        {
            return new PassiveHealth(this);
        }
    }
}
