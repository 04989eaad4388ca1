package io.tcpproxy.config;

import io.tcpproxy.Config;
import io.tcpproxy.ConfigException;
import io.tcpproxy.ConfigKey;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
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

/**
 * Reads {@code proxy.toml} into a {@link Config.Builder}: every key in the file must be a known {@link ConfigKey}
 * at the top level, holding a value of the key's kind; keys not in the file keep their defaults.
 * <p>
 * Every problem in the file is found, and the first one in file order is thrown as a {@link ConfigException}
 * whose message reads {@code FILE:LINE: KEY: what was expected, got what}; the others are attached to it as
 * suppressed exceptions, and its message ends with how many there are.
 */
public final class TomlConfigLoader
{
    private TomlConfigLoader()
    {
    }

    /**
     * @param path the file.
     * @return a builder with the file's values over the defaults.
     * @throws ConfigException when the file cannot be read, does not parse, or holds an unknown key or a bad value.
     */
    public static Config.Builder load(final Path path)
    {
        return parse(readFile(path), path.toString());
    }

    /**
     * Read TOML text already in memory.
     *
     * @param text       the TOML document.
     * @param sourceName how to name the source in messages, e.g. the file name.
     * @return a builder with the document's values over the defaults.
     * @throws ConfigException when the text does not parse or holds an unknown key or a bad value.
     */
    public static Config.Builder parse(final String text, final String sourceName)
    {
        final TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors())
        {
            throw syntaxError(toml.errors(), sourceName);
        }

        final Config.Builder builder = Config.builder();
        final List<ConfigException> errors = new ArrayList<>();
        for (final String name : toml.keySet())
        {
            final List<String> path = List.of(name);
            final int line = lineOf(toml.inputPositionOf(path));
            final Object value = toml.get(path);
            final ConfigKey key = ConfigKey.byTomlName(name);
            if (key == null)
            {
                errors.add(error(sourceName, name, line, unknownKeyMessage(name, value)));
                continue;
            }

            final String mismatch = typeMismatch(key, value);
            if (mismatch != null)
            {
                errors.add(error(sourceName, name, line, mismatch));
                continue;
            }

            try
            {
                builder.set(key, value);
            }
            catch (final IllegalArgumentException ex)
            {
                errors.add(error(sourceName, name, line, ex.getMessage()));
            }
        }

        if (!errors.isEmpty())
        {
            throw firstOf(errors);
        }
        return builder;
    }

    private static String readFile(final Path path)
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

    private static ConfigException syntaxError(final List<TomlParseError> parseErrors, final String sourceName)
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

    private static ConfigException firstOf(final List<ConfigException> errors)
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

    private static ConfigException error(final String sourceName, final String key, final int line, final String what)
    {
        final String where = line > 0 ? sourceName + ":" + line : sourceName;
        return new ConfigException(key, line, where + ": " + key + ": " + what);
    }

    private static String unknownKeyMessage(final String name, final Object value)
    {
        if (value instanceof TomlTable)
        {
            for (final String inner : ((TomlTable)value).keySet())
            {
                if (ConfigKey.byTomlName(inner) != null)
                {
                    return "unknown table; every key goes at the top level, above any [table] header " +
                        "(found " + inner + " inside it)";
                }
            }
        }

        final ConfigKey nearest = ConfigKey.nearest(name);
        if (nearest != null)
        {
            return "unknown key (did you mean " + nearest.tomlName() + "?)";
        }

        final StringBuilder known = new StringBuilder();
        for (final ConfigKey key : ConfigKey.values())
        {
            known.append(known.length() == 0 ? "" : ", ").append(key.tomlName());
        }
        return "unknown key; the keys are " + known;
    }

    /**
     * TOML values are typed, so a value of the wrong TOML type is an error even where {@link Config.Builder#set}
     * would coerce it (e.g. the string "30" for an integer key): the file should say what it means.
     */
    private static String typeMismatch(final ConfigKey key, final Object value)
    {
        final boolean fits;
        switch (key.kind())
        {
            case INTEGER:
                fits = value instanceof Long;
                break;
            case BOOLEAN:
                fits = value instanceof Boolean;
                break;
            default:
                fits = value instanceof String;
                break;
        }
        return fits ? null : "expected " + key.expected() + ", got " + describe(value);
    }

    /**
     * Say what a configuration value is, for "expected ..., got ..." messages (TOML values and Java API values alike).
     *
     * @param value a parsed TOML value, or a value given to {@link Config.Builder#set}.
     * @return e.g. {@code the string "abc"}, {@code the integer 5}, {@code a table}.
     */
    public static String describe(final Object value)
    {
        if (value == null)
        {
            return "nothing";
        }
        if (value instanceof String)
        {
            return "the string \"" + value + "\"";
        }
        if (value instanceof Double || value instanceof Float)
        {
            return "the float " + value;
        }
        if (value instanceof Number)
        {
            return "the integer " + value;
        }
        if (value instanceof Boolean)
        {
            return "the boolean " + value;
        }
        if (value instanceof TomlArray)
        {
            return "an array";
        }
        if (value instanceof TomlTable)
        {
            return "a table";
        }
        if (value instanceof OffsetDateTime || value instanceof LocalDateTime)
        {
            return "the date-time " + value;
        }
        if (value instanceof LocalDate)
        {
            return "the date " + value;
        }
        if (value instanceof LocalTime)
        {
            return "the time " + value;
        }
        return "a value of type " + value.getClass().getSimpleName();
    }

    private static int lineOf(final TomlPosition position)
    {
        return position == null ? 0 : position.line();
    }
}
