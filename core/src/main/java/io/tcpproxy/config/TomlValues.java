package io.tcpproxy.config;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Config}'s top-level keys as TOML values: listed, compared between two configurations for a reload, and
 * copied from one configuration into another's values.
 */
final class TomlValues
{
    private TomlValues()
    {
    }

    /** @return every top-level key that has a value in {@code config}, in key order. */
    static Map<ConfigKey, Object> of(final Config config)
    {
        final Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        for (final ConfigKey key : ConfigKey.values())
        {
            final Object value = key.tomlValue(config);
            if (value != null)
            {
                values.put(key, value);
            }
        }
        return values;
    }

    /** @return one {@code key (before → after)} entry per changed key that a running proxy cannot take. */
    static List<String> restartRequiredChanges(final Config older, final Config newer)
    {
        final List<String> changes = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            if (!key.reloadable())
            {
                final Object before = key.tomlValue(older);
                final Object after = key.tomlValue(newer);
                if (!Objects.equals(before, after))
                {
                    changes.add(key.tomlName() + " (" + show(before) + " → " + show(after) + ")");
                }
            }
        }
        return changes;
    }

    /** Set {@code keys} in {@code target} to their values in {@code source} (keys without a value are left). */
    static void copy(final Config source, final Iterable<ConfigKey> keys, final ConfigValues target)
    {
        for (final ConfigKey key : keys)
        {
            final Object value = key.tomlValue(source);
            if (value != null)
            {
                key.setIn(target, value);
            }
        }
    }

    private static String show(final Object value)
    {
        return "".equals(value) ? "\"\"" : String.valueOf(value);
    }
}
