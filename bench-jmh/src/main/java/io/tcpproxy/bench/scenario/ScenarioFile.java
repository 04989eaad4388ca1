package io.tcpproxy.bench.scenario;

import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the benchmark matrix from TOML:
 * <pre>
 * duration_secs = 5        # default for every scenario
 * warmup_secs = 1
 * rate = 0                 # total requests/s; 0 = closed loop
 *
 * [[scenario]]
 * name = "baseline"
 * connections = 10
 * size = "1KiB"            # or bytes as an integer; B, KiB (= KB = K), MiB (= MB = M)
 * duration_secs = 10       # optional override, as are warmup_secs and rate
 * </pre>
 */
public final class ScenarioFile
{
    /** Classpath location of the shipped default matrix. */
    public static final String DEFAULT_RESOURCE = "/scenarios.toml";

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("duration_secs", "warmup_secs", "rate", "scenario");
    private static final List<String> SCENARIO_KEYS =
        List.of("connections", "duration_secs", "name", "rate", "size", "warmup_secs");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib)?");
    private static final String SIZE_EXPECTED =
        "bytes as an integer, or a string like \"64B\", \"1KiB\", \"64KiB\"";
    private static final long MAX_SIZE_BYTES = 64 * 1024 * 1024;
    private static final double DEFAULT_DURATION_SECS = 5;
    private static final double DEFAULT_WARMUP_SECS = 1;

    private ScenarioFile()
    {
    }

    /**
     * @param file a TOML scenario file.
     * @return its scenarios in file order.
     * @throws IOException       when the file cannot be read.
     * @throws ScenarioException when the content is not a valid matrix.
     */
    public static List<Scenario> load(final Path file) throws IOException
    {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * @return the shipped default matrix (the seed's seven scenarios).
     */
    public static List<Scenario> loadDefault()
    {
        try (InputStream in = ScenarioFile.class.getResourceAsStream(DEFAULT_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException("default scenarios missing from the class path: " + DEFAULT_RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "scenarios.toml (built in)");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read the default scenarios", ex);
        }
    }

    /**
     * @param text       TOML text.
     * @param sourceName file name used in error messages.
     * @return the scenarios in order.
     * @throws ScenarioException naming the line, key and what is expected.
     */
    public static List<Scenario> parse(final String text, final String sourceName)
    {
        final TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors())
        {
            final TomlParseError error = toml.errors().get(0);
            throw new ScenarioException(where(sourceName, error.position()) + "invalid TOML: " + error.getMessage());
        }

        for (final String key : toml.keySet())
        {
            if (!TOP_LEVEL_KEYS.contains(key))
            {
                throw new ScenarioException(where(sourceName, toml.inputPositionOf(List.of(key))) +
                    "unknown key '" + key + "'; expected one of: [[scenario]], duration_secs, rate, warmup_secs");
            }
        }
        final double defaultDurationSecs = seconds(toml, "duration_secs", DEFAULT_DURATION_SECS, sourceName, "", false);
        final double defaultWarmupSecs = seconds(toml, "warmup_secs", DEFAULT_WARMUP_SECS, sourceName, "", true);
        final double defaultRate = rate(toml, 0, sourceName, "");

        final Object scenarioValue = toml.get(List.of("scenario"));
        if (!(scenarioValue instanceof TomlArray))
        {
            final TomlPosition position = scenarioValue == null ? null : toml.inputPositionOf(List.of("scenario"));
            throw new ScenarioException(where(sourceName, position) +
                "expected at least one [[scenario]] table with name, connections and size");
        }
        final TomlArray array = (TomlArray)scenarioValue;
        if (array.isEmpty() || !(array.get(0) instanceof TomlTable))
        {
            throw new ScenarioException(where(sourceName, toml.inputPositionOf(List.of("scenario"))) +
                "expected 'scenario' to be an array of tables ([[scenario]]), each with name, connections and size");
        }

        final List<Scenario> scenarios = new ArrayList<>(array.size());
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++)
        {
            final TomlPosition tablePosition = array.inputPositionOf(i);
            if (!(array.get(i) instanceof TomlTable))
            {
                throw new ScenarioException(where(sourceName, tablePosition) +
                    "expected every 'scenario' element to be a table ([[scenario]]), got " + describe(array.get(i)));
            }
            final TomlTable table = (TomlTable)array.get(i);
            final String label = "[[scenario]] #" + (i + 1);
            for (final String key : table.keySet())
            {
                if (!SCENARIO_KEYS.contains(key))
                {
                    throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of(key))) +
                        "unknown key '" + key + "' in " + label + "; expected one of: " + String.join(", ", SCENARIO_KEYS));
                }
            }
            final String name = requiredString(table, "name", sourceName, tablePosition, label);
            final String context = " in " + label + " (\"" + name + "\")";
            if (!names.add(name))
            {
                throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of("name"))) +
                    "duplicate scenario name \"" + name + "\"; expected each name once");
            }
            final int connections = connections(table, sourceName, tablePosition, context);
            final int messageBytes = size(table, sourceName, tablePosition, context);
            final double durationSecs = seconds(table, "duration_secs", defaultDurationSecs, sourceName, context, false);
            final double warmupSecs = seconds(table, "warmup_secs", defaultWarmupSecs, sourceName, context, true);
            final double rate = rate(table, defaultRate, sourceName, context);
            scenarios.add(new Scenario(name, connections, messageBytes, nanos(durationSecs), nanos(warmupSecs), rate));
        }
        return List.copyOf(scenarios);
    }

    /**
     * @param bytes a message size.
     * @return the size as written in tables: {@code 64 B}, {@code 1 KiB}, {@code 1.5 KiB}, {@code 1 MiB}.
     */
    public static String formatSize(final int bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024)
        {
            return trim(bytes / 1024.0) + " KiB";
        }
        return trim(bytes / (1024.0 * 1024.0)) + " MiB";
    }

    /**
     * @param text bytes, or a size like {@code 64B}, {@code 1KiB} (= {@code 1KB} = {@code 1K}), {@code 2MiB}.
     * @return the size in bytes.
     * @throws IllegalArgumentException saying what is expected.
     */
    public static int parseSize(final String text)
    {
        final long bytes = sizeBytes(text);
        if (bytes < 1 || bytes > MAX_SIZE_BYTES)
        {
            throw new IllegalArgumentException("expected " + SIZE_EXPECTED + ", from 1 B to 64 MiB, got \"" + text + "\"");
        }
        return (int)bytes;
    }

    private static long sizeBytes(final String text)
    {
        final Matcher matcher = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches())
        {
            return -1;
        }
        final String unit = matcher.group(2) == null ? "b" : matcher.group(2);
        final long multiplier = unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1;
        try
        {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static long nanos(final double seconds)
    {
        return (long)(seconds * TimeUnit.SECONDS.toNanos(1));
    }

    private static String requiredString(
        final TomlTable table,
        final String key,
        final String sourceName,
        final TomlPosition tablePosition,
        final String label)
    {
        final Object value = table.get(List.of(key));
        if (value == null)
        {
            throw new ScenarioException(where(sourceName, tablePosition) + label + " is missing required key '" +
                key + "' (a string)");
        }
        if (!(value instanceof String) || ((String)value).isBlank())
        {
            throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of(key))) + "'" + key + "' in " +
                label + " must be a non-empty string, got " + describe(value));
        }
        return (String)value;
    }

    private static int connections(
        final TomlTable table, final String sourceName, final TomlPosition tablePosition, final String context)
    {
        final Object value = table.get(List.of("connections"));
        if (value == null)
        {
            throw new ScenarioException(where(sourceName, tablePosition) + "missing required key 'connections'" +
                context + " (a positive integer)");
        }
        if (!(value instanceof Long) || (Long)value < 1 || (Long)value > 100_000)
        {
            throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of("connections"))) +
                "'connections'" + context + " must be an integer from 1 to 100000, got " + describe(value));
        }
        return ((Long)value).intValue();
    }

    private static int size(
        final TomlTable table, final String sourceName, final TomlPosition tablePosition, final String context)
    {
        final Object value = table.get(List.of("size"));
        if (value == null)
        {
            throw new ScenarioException(where(sourceName, tablePosition) + "missing required key 'size'" + context +
                " (" + SIZE_EXPECTED + ")");
        }
        final String where = where(sourceName, table.inputPositionOf(List.of("size")));
        long bytes = -1;
        if (value instanceof Long)
        {
            bytes = (Long)value;
        }
        else if (value instanceof String)
        {
            bytes = sizeBytes((String)value);
        }
        if (bytes < 1 || bytes > MAX_SIZE_BYTES)
        {
            throw new ScenarioException(where + "'size'" + context + " must be " + SIZE_EXPECTED +
                ", from 1 B to 64 MiB, got " + describe(value));
        }
        return (int)bytes;
    }

    private static double seconds(
        final TomlTable table,
        final String key,
        final double defaultValue,
        final String sourceName,
        final String context,
        final boolean zeroAllowed)
    {
        final Object value = table.get(List.of(key));
        if (value == null)
        {
            return defaultValue;
        }
        final double seconds = number(value);
        if (Double.isNaN(seconds) || seconds < 0 || (!zeroAllowed && seconds == 0) || seconds > 3600)
        {
            throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of(key))) + "'" + key + "'" +
                context + " must be a number of seconds " + (zeroAllowed ? "from 0" : "above 0") + " to 3600, got " +
                describe(value));
        }
        return seconds;
    }

    private static double rate(
        final TomlTable table, final double defaultValue, final String sourceName, final String context)
    {
        final Object value = table.get(List.of("rate"));
        if (value == null)
        {
            return defaultValue;
        }
        final double rate = number(value);
        if (Double.isNaN(rate) || rate < 0 || Double.isInfinite(rate))
        {
            throw new ScenarioException(where(sourceName, table.inputPositionOf(List.of("rate"))) + "'rate'" +
                context + " must be total requests per second (a number >= 0; 0 = closed loop), got " + describe(value));
        }
        return rate;
    }

    private static double number(final Object value)
    {
        if (value instanceof Long)
        {
            return (Long)value;
        }
        if (value instanceof Double)
        {
            return (Double)value;
        }
        return Double.NaN;
    }

    private static String describe(final Object value)
    {
        if (value instanceof String)
        {
            return "string \"" + value + "\"";
        }
        if (value instanceof Long)
        {
            return "integer " + value;
        }
        if (value instanceof Double)
        {
            return "float " + value;
        }
        if (value instanceof Boolean)
        {
            return "boolean " + value;
        }
        if (value instanceof TomlArray)
        {
            return "an array";
        }
        if (value instanceof TomlTable)
        {
            return "a table";
        }
        return String.valueOf(value);
    }

    private static String where(final String sourceName, final TomlPosition position)
    {
        return position == null ? sourceName + ": " :
            sourceName + ":" + position.line() + ":" + position.column() + ": ";
    }
}
