package io.tcpproxy.config;

import java.util.ArrayList;
import java.util.List;

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

    /** @return the key of this scope with that name inside its table, or null when there is none. */
    ConfigKey key(final String keyName)
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.scope() == this && key.keyName().equals(keyName))
            {
                return key;
            }
        }
        return null;
    }

    /** @return the names of this scope's keys inside its table, in declaration order. */
    List<String> keyNames()
    {
        final List<String> names = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.scope() == this)
            {
                names.add(key.keyName());
            }
        }
        return names;
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
