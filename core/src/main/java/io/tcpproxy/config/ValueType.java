package io.tcpproxy.config;

import org.tomlj.TomlArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

import static io.tcpproxy.config.TomlConfigLoader.describe;

/**
 * How the value of one {@link ConfigKey} is read: which TOML type it must have, how a loosely typed value (a TOML
 * value, a CLI string, a Java value) becomes the typed value, what is allowed, and how the value is written back.
 *
 * @param <T> the typed value.
 */
final class ValueType<T>
{
    private final KeyKind kind;
    private final long min;
    private final long max;
    private final String[] choices;
    private final String expected;
    private final Predicate<Object> tomlTypeFits;
    private final Function<Object, T> parse;
    private final Function<T, Object> toToml;

    private ValueType(
        final KeyKind kind,
        final long min,
        final long max,
        final String[] choices,
        final String expected,
        final Predicate<Object> tomlTypeFits,
        final Function<Object, T> parse,
        final Function<T, Object> toToml)
    {
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.expected = expected;
        this.tomlTypeFits = tomlTypeFits;
        this.parse = parse;
        this.toToml = toToml;
    }

    KeyKind kind()
    {
        return kind;
    }

    long min()
    {
        return min;
    }

    long max()
    {
        return max;
    }

    String[] choices()
    {
        return choices.clone();
    }

    String expected()
    {
        return expected;
    }

    /** TOML values are typed: the file must say what it means (the string "30" is no integer there). */
    boolean tomlTypeFits(final Object tomlValue)
    {
        return tomlTypeFits.test(tomlValue);
    }

    /**
     * @throws IllegalArgumentException reading "expected ..., got ..." when the value does not fit.
     */
    T parse(final Object value)
    {
        return parse.apply(value);
    }

    Object toToml(final T value)
    {
        return toToml.apply(value);
    }

    static ValueType<Integer> integer(final long min, final long max)
    {
        final String expected = "an integer from " + min + " to " + max;
        return new ValueType<>(KeyKind.INTEGER, min, max, new String[0], expected, v -> v instanceof Long,
            value ->
            {
                final long number = integerValue(expected, value);
                if (number < min || number > max)
                {
                    throw new IllegalArgumentException("expected " + expected + ", got " + number);
                }
                return (int)number;
            },
            v -> (long)v);
    }

    static ValueType<Boolean> bool()
    {
        final String expected = "true or false";
        return new ValueType<>(KeyKind.BOOLEAN, 0, 0, new String[0], expected, v -> v instanceof Boolean,
            value ->
            {
                if (value instanceof Boolean)
                {
                    return (Boolean)value;
                }
                if ("true".equals(value) || "false".equals(value))
                {
                    return Boolean.parseBoolean((String)value);
                }
                throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
            },
            v -> v);
    }

    /** {@code cpu_affinity}: a boolean, or the string "cores" or "l3" (a CLI string may also be "true"/"false"). */
    static ValueType<CpuAffinityMode> cpuAffinity()
    {
        final String expected = "true, false, \"cores\" or \"l3\"";
        return new ValueType<>(KeyKind.BOOLEAN_OR_CHOICE, 0, 0, new String[]{ "true", "false", "cores", "l3" },
            expected, v -> v instanceof Boolean || v instanceof String,
            value ->
            {
                if (value instanceof CpuAffinityMode)
                {
                    return (CpuAffinityMode)value;
                }
                if (value instanceof Boolean)
                {
                    return (Boolean)value ? CpuAffinityMode.BY_INDEX : CpuAffinityMode.OFF;
                }
                if (value instanceof String)
                {
                    switch (((String)value).trim().toLowerCase(Locale.ROOT))
                    {
                        case "false":
                            return CpuAffinityMode.OFF;
                        case "true":
                            return CpuAffinityMode.BY_INDEX;
                        case "cores":
                            return CpuAffinityMode.CORES;
                        case "l3":
                            return CpuAffinityMode.L3;
                        default:
                            break;
                    }
                }
                throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
            },
            v -> switch (v)
            {
                case OFF -> Boolean.FALSE;
                case BY_INDEX -> Boolean.TRUE;
                case CORES -> "cores";
                case L3 -> "l3";
            });
    }

    /** One of an enum's constants, written in lower case (any case accepted). */
    static <E extends Enum<E>> ValueType<E> choice(final Class<E> type)
    {
        final E[] constants = type.getEnumConstants();
        final String[] names = new String[constants.length];
        for (int i = 0; i < constants.length; i++)
        {
            names[i] = constants[i].name().toLowerCase(Locale.ROOT);
        }
        final String expected = "one of \"" + String.join("\", \"", names) + "\"";
        return new ValueType<>(KeyKind.CHOICE, 0, 0, names, expected, v -> v instanceof String,
            value ->
            {
                final String text = stringValue(expected, value);
                final String choice = text.trim().toLowerCase(Locale.ROOT);
                for (final E constant : constants)
                {
                    if (constant.name().toLowerCase(Locale.ROOT).equals(choice))
                    {
                        return constant;
                    }
                }
                throw new IllegalArgumentException("expected " + expected + ", got \"" + text + "\"");
            },
            v -> v.name().toLowerCase(Locale.ROOT));
    }

    /** An array of IPv4/IPv6 CIDRs or addresses. */
    static ValueType<List<Cidr>> cidrList()
    {
        return list("an array of IPv4/IPv6 CIDRs or addresses, e.g. [\"10.0.0.0/8\", \"::1\"]",
            Cidr.class, Cidr::parse, Cidr::toString);
    }

    static ValueType<HostPort> address()
    {
        final String expected = "a string HOST:PORT, e.g. \"127.0.0.1:3000\"";
        return new ValueType<>(KeyKind.ADDRESS, 0, 0, new String[0], expected, v -> v instanceof String,
            value -> HostPort.parse(stringValue(expected, value)),
            HostPort::toString);
    }

    /** HOST:PORT, or "" for none (the typed value is then null). */
    static ValueType<HostPort> addressOrEmpty()
    {
        final String expected = "a string HOST:PORT, e.g. \"127.0.0.1:9090\", or \"\" to disable";
        return new ValueType<>(KeyKind.ADDRESS_OR_EMPTY, 0, 0, new String[0], expected,
            v -> v instanceof String,
            value ->
            {
                final String text = value == null ? "" : stringValue(expected, value);
                return text.isBlank() ? null : HostPort.parse(text);
            },
            v -> v == null ? "" : v.toString());
    }

    /**
     * A string checked (and normalised) by {@code check}, which throws IllegalArgumentException with the whole
     * "expected ..., got ..." message.
     */
    static ValueType<String> string(final String expected, final Function<String, String> check)
    {
        return new ValueType<>(KeyKind.STRING, 0, 0, new String[0], expected, v -> v instanceof String,
            value -> check.apply(stringValue(expected, value)),
            v -> v);
    }

    /** Any value made from a string by {@code parse}, written back by {@code format}. */
    static <T> ValueType<T> fromString(
        final String expected, final Function<String, T> parse, final Function<T, Object> format)
    {
        return new ValueType<>(KeyKind.STRING, 0, 0, new String[0], expected, v -> v instanceof String,
            value -> parse.apply(stringValue(expected, value)),
            format);
    }

    /**
     * An array of strings, each read by {@code element} (which throws IllegalArgumentException saying what is wrong
     * with that element). Loosely typed values may also be a {@link List} or one comma-separated string.
     */
    static <E> ValueType<List<E>> list(
        final String expected,
        final Class<E> elementType,
        final Function<String, E> element,
        final Function<E, String> format)
    {
        return new ValueType<>(KeyKind.STRING_LIST, 0, 0, new String[0], expected,
            v -> v instanceof TomlArray,
            value ->
            {
                final List<?> items = listValue(expected, value);
                final List<E> parsed = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++)
                {
                    final Object item = items.get(i);
                    if (elementType.isInstance(item) && !(item instanceof String))
                    {
                        parsed.add(elementType.cast(item));
                        continue;
                    }
                    if (!(item instanceof String))
                    {
                        throw new IllegalArgumentException(
                            "expected " + expected + ", got " + describe(item) + " at index " + i);
                    }
                    parsed.add(element.apply((String)item));
                }
                return Collections.unmodifiableList(parsed);
            },
            v ->
            {
                final List<String> texts = new ArrayList<>(v.size());
                for (final E item : v)
                {
                    texts.add(format.apply(item));
                }
                return Collections.unmodifiableList(texts);
            });
    }

    private static List<?> listValue(final String expected, final Object value)
    {
        if (value instanceof TomlArray)
        {
            return ((TomlArray)value).toList();
        }
        if (value instanceof List)
        {
            return (List<?>)value;
        }
        if (value instanceof String)
        {
            final List<String> items = new ArrayList<>();
            for (final String item : ((String)value).split(","))
            {
                if (!item.isBlank())
                {
                    items.add(item.trim());
                }
            }
            return items;
        }
        throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
    }

    private static String stringValue(final String expected, final Object value)
    {
        if (!(value instanceof String))
        {
            throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
        }
        return (String)value;
    }

    private static long integerValue(final String expected, final Object value)
    {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
        {
            return ((Number)value).longValue();
        }
        if (value instanceof String)
        {
            try
            {
                return Long.parseLong(((String)value).trim());
            }
            catch (final NumberFormatException ignore)
            {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("expected " + expected + ", got " + describe(value));
    }
}
