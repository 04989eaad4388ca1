package io.tcpproxy.config;

import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.tcpproxy.config.LoaderMessages.HEALTH_CHECK;
import static io.tcpproxy.config.LoaderMessages.PASSIVE_HEALTH;
import static io.tcpproxy.config.LoaderMessages.POOL;
import static io.tcpproxy.config.LoaderMessages.ROUTE;
import static io.tcpproxy.config.LoaderMessages.UPSTREAM;
import static io.tcpproxy.config.LoaderMessages.lineOf;

/**
 * Reads {@code proxy.toml} into a {@link ConfigBuilder}: top-level keys, the tables {@code [health_check]} and
 * {@code [passive_health]}, the arrays of tables {@code [[upstream]]} and {@code [[route]]}, and {@code [pool.NAME]}
 * tables (with an optional {@code [pool.NAME.health_check]}). Every key must be a known {@link ConfigKey} of its
 * table, holding a value of the key's kind; keys not in the file keep their defaults.
 * <p>
 * Every problem in the file is found, and the first one in file order is thrown as a {@link ConfigException}
 * whose message reads {@code FILE:LINE: KEY: what was expected, got what} (keys inside tables named
 * {@code table.key}); the others are attached to it as suppressed exceptions, and its message ends with how many
 * there are. Checks spanning several keys run in {@link ConfigBuilder#build()}, which names the file and line too.
 */
public final class TomlConfigLoader
{
    private final String sourceName;
    private final ConfigBuilder builder;
    private final List<ConfigException> errors = new ArrayList<>();

    private TomlConfigLoader(final String sourceName)
    {
        this.sourceName = sourceName;
        this.builder = Config.builder();
        builder.values.sourceName = sourceName;
    }

    /**
     * @param path the file.
     * @return a builder with the file's values over the defaults.
     * @throws ConfigException when the file cannot be read, does not parse, or holds an unknown key or a bad value.
     */
    public static ConfigBuilder load(final Path path)
    {
        final ConfigBuilder builder = parse(LoaderMessages.readFile(path), path.toString());
        builder.values.sourcePath = path;
        return builder;
    }

    /**
     * Read TOML text already in memory.
     *
     * @param text       the TOML document.
     * @param sourceName how to name the source in messages, e.g. the file name.
     * @return a builder with the document's values over the defaults.
     * @throws ConfigException when the text does not parse or holds an unknown key or a bad value.
     */
    public static ConfigBuilder parse(final String text, final String sourceName)
    {
        final TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors())
        {
            throw LoaderMessages.syntaxError(toml.errors(), sourceName);
        }

        final TomlConfigLoader loader = new TomlConfigLoader(sourceName);
        loader.readTopLevel(toml);
        if (!loader.errors.isEmpty())
        {
            throw LoaderMessages.firstOf(loader.errors);
        }
        return loader.builder;
    }

    private void readTopLevel(final TomlTable toml)
    {
        for (final String name : toml.keySet())
        {
            final int line = lineOf(toml, name);
            final Object value = toml.get(List.of(name));
            switch (name)
            {
                case HEALTH_CHECK -> readHealthCheck(value, HEALTH_CHECK, line, builder::healthCheck);
                case PASSIVE_HEALTH ->
                {
                    final PassiveHealth.Builder passive = PassiveHealth.builder();
                    if (readTable(value, Scope.PASSIVE_HEALTH, passive, PASSIVE_HEALTH, line, "[passive_health]"))
                    {
                        builder.passiveHealth(passive.build());
                    }
                }
                case UPSTREAM -> readUpstreams(value, line);
                case ROUTE -> readRoutes(value, line);
                case POOL -> readPools(value, line);
                default -> readTopLevelKey(name, value, line);
            }
        }
    }

    private void readTopLevelKey(final String name, final Object value, final int line)
    {
        final ConfigKey key = Scope.TOP.key(name);
        if (key == null)
        {
            errors.add(error(name, line, LoaderMessages.unknownKeyMessage(name, value)));
            return;
        }
        if (set(key, builder.values, name, value, line))
        {
            builder.values.lines.put(name, line);
        }
    }

    /** Reads a health check table into a new {@link HealthCheck} handed to {@code sink} when it has no errors. */
    private void readHealthCheck(
        final Object value, final String prefix, final int line, final Consumer<HealthCheck> sink)
    {
        final HealthCheck.Builder check = HealthCheck.builder();
        if (readTable(value, Scope.HEALTH_CHECK, check, prefix, line, "[" + prefix + "]"))
        {
            sink.accept(check.build());
            builder.values.lines.put(prefix, line);
        }
    }

    private void readUpstreams(final Object value, final int line)
    {
        final TomlArray array = arrayOfTables(value, UPSTREAM, line);
        for (int i = 0; array != null && i < array.size(); i++)
        {
            final int tableLine = lineOf(array.inputPositionOf(i));
            final Upstream.Builder upstream = Upstream.builder();
            if (readTable(array.get(i), Scope.UPSTREAM, upstream, UPSTREAM, tableLine, "[[upstream]]"))
            {
                if (upstream.addr == null)
                {
                    errors.add(error("upstream.addr", tableLine,
                        "missing: every [[upstream]] needs addr = \"HOST:PORT\", e.g. addr = \"10.0.0.1:5432\""));
                    continue;
                }
                builder.values.lines.put("upstream#" + builder.values.upstreams.size(), tableLine);
                builder.upstream(upstream.build());
            }
        }
    }

    private void readRoutes(final Object value, final int line)
    {
        final TomlArray array = arrayOfTables(value, ROUTE, line);
        for (int i = 0; array != null && i < array.size(); i++)
        {
            final int tableLine = lineOf(array.inputPositionOf(i));
            final Route.Builder route = Route.builder();
            if (readTable(array.get(i), Scope.ROUTE, route, ROUTE, tableLine, "[[route]]"))
            {
                try
                {
                    final Route built = route.build();
                    final TomlTable table = (TomlTable)array.get(i);
                    builder.values.lines.put("route#" + builder.values.routes.size() + ".pool",
                        table.contains(List.of("pool")) ? lineOf(table, "pool") : tableLine);
                    builder.route(built);
                }
                catch (final IllegalArgumentException ex)
                {
                    errors.add(error(ROUTE, tableLine, ex.getMessage()));
                }
            }
        }
    }

    private void readPools(final Object value, final int line)
    {
        if (!(value instanceof TomlTable))
        {
            errors.add(error(POOL, line, "expected [pool.NAME] tables, got " + describe(value)));
            return;
        }
        final TomlTable pools = (TomlTable)value;
        for (final String name : pools.keySet())
        {
            final String prefix = POOL + "." + name;
            final int poolLine = lineOf(pools, name);
            final Object poolValue = pools.get(List.of(name));
            final PoolSettings.Builder settings;
            try
            {
                settings = PoolSettings.builder(name);
            }
            catch (final IllegalArgumentException ex)
            {
                errors.add(error(prefix, poolLine, ex.getMessage()));
                continue;
            }
            if (poolValue instanceof TomlTable && ((TomlTable)poolValue).contains(List.of(HEALTH_CHECK)))
            {
                final TomlTable poolTable = (TomlTable)poolValue;
                readHealthCheck(poolTable.get(List.of(HEALTH_CHECK)), prefix + "." + HEALTH_CHECK,
                    lineOf(poolTable, HEALTH_CHECK), settings::healthCheck);
            }
            if (readTable(poolValue, Scope.POOL, settings, prefix, poolLine, "[" + prefix + "]"))
            {
                builder.values.lines.put(prefix, poolLine);
                builder.poolSettings(settings.build());
            }
        }
    }

    private TomlArray arrayOfTables(final Object value, final String name, final int line)
    {
        if (value instanceof TomlArray && ((TomlArray)value).toList().stream().allMatch(TomlTable.class::isInstance))
        {
            return (TomlArray)value;
        }
        errors.add(error(name, line, "expected [[" + name + "]] tables (an array of tables), got " + describe(value)));
        return null;
    }

    /**
     * Reads every key of one table into {@code target}.
     *
     * @return whether the table had no errors.
     */
    private <B> boolean readTable(
        final Object value, final Scope<B> scope, final B target, final String prefix, final int line,
        final String header)
    {
        if (!(value instanceof TomlTable))
        {
            errors.add(error(prefix, line, "expected a table " + header + ", got " + describe(value)));
            return false;
        }
        final TomlTable table = (TomlTable)value;
        final int errorsBefore = errors.size();
        for (final String name : table.keySet())
        {
            final String keyName = prefix + "." + name;
            final int keyLine = lineOf(table, name);
            final Object keyValue = table.get(List.of(name));
            final ConfigKey key = scope.key(name);
            if (key != null)
            {
                set(key, target, keyName, keyValue, keyLine);
            }
            else if (!(scope == Scope.POOL && name.equals(HEALTH_CHECK)))
            {
                errors.add(error(keyName, keyLine, LoaderMessages.unknownKeyInTable(scope, name, header)));
            }
        }
        return errors.size() == errorsBefore;
    }

    private boolean set(final ConfigKey key, final Object target, final String name, final Object value, final int line)
    {
        if (!key.tomlTypeFits(value))
        {
            errors.add(error(name, line, "expected " + key.expected() + ", got " + describe(value)));
            return false;
        }
        try
        {
            key.setIn(target, value);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            errors.add(error(name, line, ex.getMessage()));
            return false;
        }
    }

    private ConfigException error(final String key, final int line, final String what)
    {
        final String where = line > 0 ? sourceName + ":" + line : sourceName;
        return new ConfigException(key, line, where + ": " + key + ": " + what);
    }

    /**
     * Say what a configuration value is, for "expected ..., got ..." messages (TOML values and Java API values alike).
     *
     * @param value a parsed TOML value, or a value given to {@link ConfigBuilder#set}.
     * @return e.g. {@code the string "abc"}, {@code the integer 5}, {@code a table}.
     */
    public static String describe(final Object value)
    {
        return LoaderMessages.describe(value);
    }
}
