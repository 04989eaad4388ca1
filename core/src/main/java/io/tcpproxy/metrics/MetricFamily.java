package io.tcpproxy.metrics;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The declaration of one metric family: its Prometheus name, help text, type, label names, and where it goes in the
 * JSON document. Declared once (see {@link Families}); the collector counts into it through a {@link MetricsRegistry};
 * every exporter iterates the families of a {@link MetricsSnapshot} generically, so a new family needs no exporter
 * change.
 *
 * <p>JSON placement: a family without labels is a top-level {@code "jsonKey": value}; with labels, a top-level object
 * {@code "jsonKey": {"labelValue": value}} (label values joined by {@code ,} when there are several). A family given
 * {@link #inJsonRows} is instead one field of the rows of an array (e.g. {@code "workers": [{"worker": "0",
 * "active_connections": 1, ...}]}), all families naming the same array sharing its rows (one row per set of label
 * values; a second label is a field of the row under its own name, e.g. {@code "pool": "default"}). Histograms go under
 * {@code "histograms"}.
 */
public final class MetricFamily
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** Prometheus metric types. */
    public enum Type
    {
        /** Only ever goes up (for the life of the series). */
        COUNTER,
        /** Goes up and down. */
        GAUGE,
        /** Observations in fixed buckets. */
        HISTOGRAM;

        /** @return the name in a {@code # TYPE} line. */
        public String text()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** How a sample's value is held and printed. */
    public enum ValueKind
    {
        /** A whole number. */
        INTEGER,
        /** A floating-point number (e.g. seconds). */
        DOUBLE,
        /** 0 or 1 in Prometheus, false or true in JSON. */
        BOOLEAN
    }

    private final String name;
    private final String help;
    private final Type type;
    private final ValueKind valueKind;
    private final List<String> labelNames;
    private final String jsonKey;
    private final JsonRows jsonRows;
    private final double[] bucketBoundsSecs;

    /**
     * Where a labeled family appears in JSON when it is a column of a table.
     *
     * @param arrayKey        key of the array of rows, e.g. {@code workers}.
     * @param rowKey          key of the first label's value in each row, e.g. {@code worker}; further labels (the
     *                        columns of one table share their label names) go in by their own names, e.g.
     *                        {@code pool}.
     * @param restLabelValue  a label value taken out of the array into an object of its own ({@code other}), or null.
     * @param restKey         the key of that object ({@code other_clients}), or null.
     */
    public record JsonRows(String arrayKey, String rowKey, String restLabelValue, String restKey)
    {
    }

    private MetricFamily(
        final String name,
        final String help,
        final Type type,
        final ValueKind valueKind,
        final List<String> labelNames,
        final String jsonKey,
        final JsonRows jsonRows,
        final double[] bucketBoundsSecs)
    {
        if (!NAME.matcher(name).matches())
        {
            throw new IllegalArgumentException("invalid metric name: " + name);
        }
        for (final String label : labelNames)
        {
            if (!LABEL.matcher(label).matches() || label.startsWith("__") || "le".equals(label))
            {
                throw new IllegalArgumentException("invalid label name for " + name + ": " + label);
            }
        }
        if (type == Type.COUNTER && !name.endsWith("_total"))
        {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        if (null != jsonRows && labelNames.isEmpty())
        {
            throw new IllegalArgumentException("a JSON row family has labels: " + name);
        }
        this.name = name;
        this.help = Objects.requireNonNull(help);
        this.type = type;
        this.valueKind = valueKind;
        this.labelNames = List.copyOf(labelNames);
        this.jsonKey = Objects.requireNonNull(jsonKey);
        this.jsonRows = jsonRows;
        this.bucketBoundsSecs = null == bucketBoundsSecs ? null : bucketBoundsSecs.clone();
    }

    /**
     * @param name       full Prometheus name ending in {@code _total}, e.g. {@code tcp_proxy_connections_total}.
     * @param help       one line of help.
     * @param labelNames the label names (their values must come from a bounded set).
     * @return an integer counter family; its JSON key is the name without {@code tcp_proxy_} until {@link #json}.
     */
    public static MetricFamily counter(final String name, final String help, final String... labelNames)
    {
        return new MetricFamily(
            name, help, Type.COUNTER, ValueKind.INTEGER, List.of(labelNames), defaultKey(name), null, null);
    }

    /**
     * @param name       full Prometheus name with its unit, e.g. {@code tcp_proxy_relay_buffer_bytes}.
     * @param help       one line of help.
     * @param labelNames the label names (their values must come from a bounded set).
     * @return an integer gauge family.
     */
    public static MetricFamily gauge(final String name, final String help, final String... labelNames)
    {
        return new MetricFamily(
            name, help, Type.GAUGE, ValueKind.INTEGER, List.of(labelNames), defaultKey(name), null, null);
    }

    /**
     * @param name             full Prometheus name ending in {@code _seconds}.
     * @param help             one line of help.
     * @param bucketBoundsSecs ascending finite bucket bounds in seconds.
     * @param labelNames       the label names (their values must come from a bounded set).
     * @return a histogram family of durations.
     */
    public static MetricFamily histogram(
        final String name, final String help, final double[] bucketBoundsSecs, final String... labelNames)
    {
        return new MetricFamily(name, help, Type.HISTOGRAM, ValueKind.INTEGER, List.of(labelNames), defaultKey(name),
            null, bucketBoundsSecs);
    }

    /** @param key the JSON key. @return this family with that JSON key. */
    public MetricFamily json(final String key)
    {
        return new MetricFamily(name, help, type, valueKind, labelNames, key, jsonRows, bucketBoundsSecs);
    }

    /**
     * @param rows     the JSON table this family is one column of.
     * @param fieldKey the column's key in each row.
     * @return this family placed as a column of that table.
     */
    public MetricFamily inJsonRows(final JsonRows rows, final String fieldKey)
    {
        return new MetricFamily(name, help, type, valueKind, labelNames, fieldKey, rows, bucketBoundsSecs);
    }

    /** @param kind how values are held and printed. @return this family with that kind. */
    public MetricFamily valueKind(final ValueKind kind)
    {
        return new MetricFamily(name, help, type, kind, labelNames, jsonKey, jsonRows, bucketBoundsSecs);
    }

    private static String defaultKey(final String name)
    {
        return name.startsWith("tcp_proxy_") ? name.substring("tcp_proxy_".length()) : name;
    }

    /** @return the full Prometheus name. */
    public String name()
    {
        return name;
    }

    /** @return the help text. */
    public String help()
    {
        return help;
    }

    /** @return the type. */
    public Type type()
    {
        return type;
    }

    /** @return how values are held and printed. */
    public ValueKind valueKind()
    {
        return valueKind;
    }

    /** @return the label names, in order. */
    public List<String> labelNames()
    {
        return labelNames;
    }

    /** @return the JSON key (or the column key when in rows). */
    public String jsonKey()
    {
        return jsonKey;
    }

    /** @return the JSON table this family is a column of, or null. */
    public JsonRows jsonRows()
    {
        return jsonRows;
    }

    /** @return the bucket bounds of a histogram, or null. */
    double[] bucketBoundsSecs()
    {
        return null == bucketBoundsSecs ? null : bucketBoundsSecs.clone();
    }

    @Override
    public String toString()
    {
        return name + labelNames;
    }
}
