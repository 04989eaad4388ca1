package io.tcpproxy.config;

/**
 * Where a {@link ConfigKey} is written: at the top level of the file or inside one kind of table, and which builder
 * its value goes into.
 *
 * @param <B> the builder the key's setter writes to.
 */
final class Scope<B>
{
    static final Scope<ConfigValues> TOP = new Scope<>("", ConfigValues.class);
    static final Scope<HealthCheck.Builder> HEALTH_CHECK = new Scope<>("health_check", HealthCheck.Builder.class);
    static final Scope<PassiveHealth.Builder> PASSIVE_HEALTH =
        new Scope<>("passive_health", PassiveHealth.Builder.class);
    static final Scope<Upstream.Builder> UPSTREAM = new Scope<>("upstream", Upstream.Builder.class);
    static final Scope<Route.Builder> ROUTE = new Scope<>("route", Route.Builder.class);
    static final Scope<PoolSettings.Builder> POOL = new Scope<>("pool", PoolSettings.Builder.class);

    private final String table;
    private final Class<B> builderType;

    private Scope(final String table, final Class<B> builderType)
    {
        this.table = table;
        this.builderType = builderType;
    }

    /** @return the table name as written in the file, "" for the top level. */
    String table()
    {
        return table;
    }

    B cast(final Object builder)
    {
        return builderType.cast(builder);
    }

    public String toString()
    {
        return table.isEmpty() ? "top level" : table;
    }
}
