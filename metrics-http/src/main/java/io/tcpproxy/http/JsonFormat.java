package io.tcpproxy.http;

import io.tcpproxy.metrics.FamilySnapshot;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricFamily;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.Sample;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link MetricsSnapshot} as one JSON object, iterating its families generically (placement as each
 * {@link MetricFamily} declares it): plain families in declaration order (the seed's four keys first), then
 * {@code timestamp_ms}, then the tables of rows ({@code workers}, {@code clients}...), then {@code histograms}.
 */
final class JsonFormat
{
    static final String CONTENT_TYPE = "application/json";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonFormat()
    {
    }

    /**
     * Append the JSON document for one snapshot, followed by a newline.
     *
     * @param snapshot to render.
     * @param out      appended to; the caller clears it.
     */
    static void render(final MetricsSnapshot snapshot, final StringBuilder out)
    {
        final List<FamilySnapshot> families = snapshot.families();
        final Map<MetricFamily.JsonRows, List<FamilySnapshot>> tables = new LinkedHashMap<>();
        final List<FamilySnapshot> histograms = new ArrayList<>();
        out.append('{');
        for (final FamilySnapshot frozen : families)
        {
            final MetricFamily family = frozen.family();
            if (family.type() == MetricFamily.Type.HISTOGRAM)
            {
                histograms.add(frozen);
            }
            else if (null != family.jsonRows())
            {
                tables.computeIfAbsent(family.jsonRows(), rows -> new ArrayList<>()).add(frozen);
            }
            else
            {
                plain(out, frozen);
                out.append(',');
            }
        }
        key(out, "timestamp_ms").append(snapshot.timestampMs()).append(',');
        for (final Map.Entry<MetricFamily.JsonRows, List<FamilySnapshot>> table : tables.entrySet())
        {
            table(out, table.getKey(), table.getValue());
        }
        key(out, "histograms").append('{');
        boolean first = true;
        for (final FamilySnapshot frozen : histograms)
        {
            if (!first)
            {
                out.append(',');
            }
            first = false;
            key(out, frozen.family().jsonKey());
            if (frozen.family().labelNames().isEmpty())
            {
                final List<Sample> samples = frozen.samples();
                histogram(out, samples.isEmpty() ? null : samples.get(0).histogram());
            }
            else
            {
                out.append('{');
                for (int i = 0, n = frozen.samples().size(); i < n; i++)
                {
                    final Sample sample = frozen.samples().get(i);
                    if (i > 0)
                    {
                        out.append(',');
                    }
                    string(out, String.join(",", sample.labelValues())).append(':');
                    histogram(out, sample.histogram());
                }
                out.append('}');
            }
        }
        out.append("}}\n");
    }

    private static void plain(final StringBuilder out, final FamilySnapshot frozen)
    {
        final MetricFamily family = frozen.family();
        key(out, family.jsonKey());
        final List<Sample> samples = frozen.samples();
        if (family.labelNames().isEmpty())
        {
            if (samples.isEmpty())
            {
                out.append(family.valueKind() == MetricFamily.ValueKind.BOOLEAN ? "false" : "0");
            }
            else
            {
                value(out, family, samples.get(0));
            }
            return;
        }
        out.append('{');
        for (int i = 0, n = samples.size(); i < n; i++)
        {
            final Sample sample = samples.get(i);
            if (i > 0)
            {
                out.append(',');
            }
            string(out, String.join(",", sample.labelValues())).append(':');
            value(out, family, sample);
        }
        out.append('}');
    }

    private static void value(final StringBuilder out, final MetricFamily family, final Sample sample)
    {
        switch (family.valueKind())
        {
            case BOOLEAN:
                out.append(sample.value() != 0);
                break;
            case DOUBLE:
                number(out, sample.doubleValue());
                break;
            default:
                out.append(sample.value());
                break;
        }
    }

    /**
     * Families that are columns of one table: one row per set of label values of the first, in its order; the first
     * label under the table's row key, any further label under its own name.
     */
    private static void table(
        final StringBuilder out, final MetricFamily.JsonRows rows, final List<FamilySnapshot> columns)
    {
        final String rest = rows.restLabelValue();
        final List<Map<List<String>, Sample>> byLabels = new ArrayList<>(columns.size());
        for (final FamilySnapshot column : columns)
        {
            final Map<List<String>, Sample> index = new HashMap<>();
            for (final Sample sample : column.samples())
            {
                index.put(sample.labelValues(), sample);
            }
            byLabels.add(index);
        }
        final List<String> labelNames = columns.get(0).family().labelNames();
        key(out, rows.arrayKey()).append('[');
        boolean first = true;
        for (final Sample rowSample : columns.get(0).samples())
        {
            final List<String> labels = rowSample.labelValues();
            if (labels.get(0).equals(rest))
            {
                continue;
            }
            if (!first)
            {
                out.append(',');
            }
            first = false;
            out.append('{');
            key(out, rows.rowKey());
            string(out, labels.get(0));
            for (int l = 1, n = labels.size(); l < n; l++)
            {
                out.append(',');
                key(out, labelNames.get(l));
                string(out, labels.get(l));
            }
            for (int c = 0, n = columns.size(); c < n; c++)
            {
                final FamilySnapshot column = columns.get(c);
                out.append(',');
                key(out, column.family().jsonKey());
                final Sample sample = byLabels.get(c).get(labels);
                if (null == sample)
                {
                    out.append(0);
                }
                else
                {
                    value(out, column.family(), sample);
                }
            }
            out.append('}');
        }
        out.append("],");
        if (null != rest)
        {
            key(out, rows.restKey()).append('{');
            boolean firstColumn = true;
            for (final FamilySnapshot column : columns)
            {
                if (!firstColumn)
                {
                    out.append(',');
                }
                firstColumn = false;
                key(out, column.family().jsonKey());
                final Sample sample = column.sample(rest);
                if (null == sample)
                {
                    out.append(0);
                }
                else
                {
                    value(out, column.family(), sample);
                }
            }
            out.append("},");
        }
    }

    private static void histogram(final StringBuilder out, final HistogramSnapshot histogram)
    {
        out.append('{');
        key(out, "buckets").append('[');
        if (null != histogram)
        {
            for (int i = 0, n = histogram.bucketCount(); i < n; i++)
            {
                if (i > 0)
                {
                    out.append(',');
                }
                out.append('{');
                key(out, "le");
                number(out, histogram.upperBoundSecs(i));
                out.append(',');
                key(out, "count").append(histogram.cumulativeCount(i)).append('}');
            }
        }
        out.append("],");
        key(out, "count").append(null == histogram ? 0 : histogram.count()).append(',');
        key(out, "sum");
        number(out, null == histogram ? 0.0 : histogram.sumSecs());
        out.append('}');
    }

    private static StringBuilder key(final StringBuilder out, final String key)
    {
        return string(out, key).append(':');
    }

    private static void number(final StringBuilder out, final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            out.append("null");
        }
        else
        {
            Doubles.append(out, value);
        }
    }

    static StringBuilder string(final StringBuilder out, final String value)
    {
        out.append('"');
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029')
                    {
                        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                            .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }
}
