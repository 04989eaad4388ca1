package io.tcpproxy.config;

import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What the {@link TomlConfigLoader} says when a file cannot be used: reading the file, TOML syntax errors, unknown
 * keys and tables (with "did you mean" hints), what a value is ({@code the string "abc"}), the line of a key, and
 * the first of several errors with the rest attached.
 */
final class LoaderMessages
{
    static final String HEALTH_CHECK = "health_check";
    static final String PASSIVE_HEALTH = "passive_health";
    static final String UPSTREAM = "upstream";
    static final String ROUTE = "route";
    static final String POOL = "pool";
    private static final Set<String> TABLES = Set.of(HEALTH_CHECK, PASSIVE_HEALTH, UPSTREAM, ROUTE, POOL);
    private static final String TABLES_TEXT =
        "[health_check], [passive_health], [[upstream]], [[route]] and [pool.NAME]";

    private LoaderMessages()
    {
    }

    static String readFile(final Path path)
    {
        if (Files.isDirectory(path))
        {
            throw new ConfigException(null, 0, path + ": is a directory, expected a TOML file");
        }
        try
        {
            return Files.readString(path);
        }
        catch (final NoSuchFileException ex)
        {
            throw new ConfigException(null, 0, path + ": file not found");
        }
        catch (final AccessDeniedException ex)
        {
            throw new ConfigException(null, 0, path + ": cannot read the file (permission denied)");
        }
        catch (final CharacterCodingException ex)
        {
            throw new ConfigException(null, 0, path + ": not valid UTF-8 text, expected a TOML file");
        }
        catch (final IOException ex)
        {
            throw new ConfigException(null, 0, path + ": cannot read the file (" + ex + ")");
        }
    }

    static ConfigException syntaxError(final List<TomlParseError> parseErrors, final String sourceName)
    {
        final List<ConfigException> errors = new ArrayList<>(parseErrors.size());
        for (final TomlParseError parseError : parseErrors)
        {
            final TomlPosition position = parseError.position();
            final int line = lineOf(position);
            final String where = position == null ? sourceName : sourceName + ":" + line + ":" + position.column();
            errors.add(new ConfigException(null, line, where + ": TOML syntax error: " + parseError.getMessage()));
        }
        return firstOf(errors);
    }

    static ConfigException firstOf(final List<ConfigException> errors)
    {
        errors.sort(Comparator.comparingInt(ConfigException::line));
        final ConfigException first = errors.get(0);
        if (errors.size() == 1)
        {
            return first;
        }

        final int others = errors.size() - 1;
        final ConfigException thrown = new ConfigException(
            first.key(),
            first.line(),
            first.getMessage() + " (and " + others + " more error" + (others == 1 ? "" : "s") + " after it)");
        for (int i = 1; i < errors.size(); i++)
        {
            thrown.addSuppressed(errors.get(i));
        }
        return thrown;
    }

    static String unknownKeyMessage(final String name, final Object value)
    {
        if (value instanceof TomlTable)
        {
            for (final String inner : ((TomlTable)value).keySet())
            {
                if (Scope.TOP.key(inner) != null)
                {
                    return "unknown table; every key goes at the top level, above any [table] header " +
                        "(found " + inner + " inside it); the tables are " + TABLES_TEXT;
                }
            }
        }

        final List<String> names = Scope.TOP.keyNames();
        names.addAll(TABLES);
        final String nearest = Spelling.nearest(name, names);
        if (nearest != null)
        {
            return "unknown key (did you mean " + nearest + "?)";
        }
        return "unknown key; the keys are " + String.join(", ", Scope.TOP.keyNames()) + ", and the tables " +
            TABLES_TEXT;
    }

    static String unknownKeyInTable(final Scope<?> scope, final String name, final String header)
    {
        final List<String> names = scope.keyNames();
        if (scope == Scope.POOL)
        {
            names.add("[" + HEALTH_CHECK + "]");
        }
        if (Scope.TOP.key(name) != null || TABLES.contains(name))
        {
            return "unknown key in " + header + "; " + name + " is a top-level key: write it above the first " +
                "[table] header";
        }
        final String nearest = Spelling.nearest(name, names);
        return nearest != null ?
            "unknown key in " + header + " (did you mean " + nearest + "?)" :
            "unknown key in " + header + "; its keys are " + String.join(", ", names);
    }

    /**
     * Say what a configuration value is, for "expected ..., got ..." messages (TOML values and Java API values alike).
     *
     * @param value a parsed TOML value, or a value given to {@link ConfigBuilder#set}.
     * @return e.g. {@code the string "abc"}, {@code the integer 5}, {@code a table}.
     */
    static String describe(final Object value)
    {
        if (value == null)
        {
            return "nothing";
        }
        if (value instanceof String)
        {
            return "the string \"" + value + "\"";
        }
        if (value instanceof TomlArray)
        {
            return "an array";
        }
        if (value instanceof TomlTable)
        {
            return "a table";
        }
        final String kind = scalarKind(value);
        return kind == null ? "a value of type " + value.getClass().getSimpleName() : "the " + kind + " " + value;
    }

    /** @return how a message names the kind of a TOML scalar shown with its value, or null for another type. */
    private static String scalarKind(final Object value)
    {
        return value instanceof Double || value instanceof Float ? "float" :
            value instanceof Number ? "integer" :
            value instanceof Boolean ? "boolean" :
            value instanceof OffsetDateTime || value instanceof LocalDateTime ? "date-time" :
            value instanceof LocalDate ? "date" :
            value instanceof LocalTime ? "time" : null;
    }

    static int lineOf(final TomlTable table, final String key)
    {
        return lineOf(table.inputPositionOf(List.of(key)));
    }

    static int lineOf(final TomlPosition position)
    {
        return position == null ? 0 : position.line();
    }
}
