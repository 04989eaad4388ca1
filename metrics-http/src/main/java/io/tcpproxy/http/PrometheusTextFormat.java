package io.tcpproxy.http;

import io.tcpproxy.metrics.FamilySnapshot;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricFamily;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.Sample;

import java.util.List;

/**
 * Renders a {@link MetricsSnapshot} in the Prometheus text exposition format, version 0.0.4: every family the
 * snapshot carries (that is exported to Prometheus), in declaration order, with {@code # HELP} and {@code # TYPE}.
 */
final class PrometheusTextFormat
{
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusTextFormat()
    {
    }

    /**
     * Append the whole exposition for one snapshot.
     *
     * @param snapshot to render.
     * @param out      appended to; the caller clears it.
     */
    static void render(final MetricsSnapshot snapshot, final StringBuilder out)
    {
        for (final FamilySnapshot frozen : snapshot.families())
        {
            if (frozen.prometheus())
            {
                family(out, frozen);
            }
        }
    }

    private static void family(final StringBuilder out, final FamilySnapshot frozen)
    {
        final MetricFamily family = frozen.family();
        header(out, family.name(), family.type().text(), family.help());
        final List<String> labelNames = family.labelNames();
        final List<Sample> samples = frozen.samples();
        if (family.type() == MetricFamily.Type.HISTOGRAM)
        {
            if (samples.isEmpty() && labelNames.isEmpty())
            {
                histogram(out, family.name(), labelNames, List.of(), null);
            }
            for (int i = 0, n = samples.size(); i < n; i++)
            {
                final Sample sample = samples.get(i);
                histogram(out, family.name(), labelNames, sample.labelValues(), sample.histogram());
            }
            return;
        }
        for (int i = 0, n = samples.size(); i < n; i++)
        {
            final Sample sample = samples.get(i);
            out.append(family.name());
            labels(out, labelNames, sample.labelValues(), null);
            out.append(' ');
            if (family.valueKind() == MetricFamily.ValueKind.DOUBLE)
            {
                Doubles.append(out, sample.doubleValue());
            }
            else
            {
                out.append(sample.value());
            }
            out.append('\n');
        }
    }

    private static void histogram(
        final StringBuilder out,
        final String baseName,
        final List<String> labelNames,
        final List<String> labelValues,
        final HistogramSnapshot histogram)
    {
        final long count = null == histogram ? 0 : histogram.count();
        if (null != histogram)
        {
            for (int i = 0, n = histogram.bucketCount(); i < n; i++)
            {
                out.append(baseName).append("_bucket");
                labels(out, labelNames, labelValues, histogram, i);
                out.append(' ').append(histogram.cumulativeCount(i)).append('\n');
            }
        }
        out.append(baseName).append("_bucket");
        labels(out, labelNames, labelValues, "+Inf");
        out.append(' ').append(count).append('\n');
        out.append(baseName).append("_sum");
        labels(out, labelNames, labelValues, null);
        out.append(' ');
        Doubles.append(out, null == histogram ? 0.0 : histogram.sumSecs());
        out.append('\n');
        out.append(baseName).append("_count");
        labels(out, labelNames, labelValues, null);
        out.append(' ').append(count).append('\n');
    }

    private static void labels(
        final StringBuilder out,
        final List<String> labelNames,
        final List<String> labelValues,
        final HistogramSnapshot histogram,
        final int bucket)
    {
        openLabels(out, labelNames, labelValues);
        if (!labelNames.isEmpty())
        {
            out.append(',');
        }
        out.append("le=\"");
        Doubles.append(out, histogram.upperBoundSecs(bucket));
        out.append("\"}");
    }

    /** Labels, plus {@code le} when not null; nothing at all when there are none. */
    private static void labels(
        final StringBuilder out, final List<String> labelNames, final List<String> labelValues, final String le)
    {
        if (labelNames.isEmpty() && null == le)
        {
            return;
        }
        openLabels(out, labelNames, labelValues);
        if (null != le)
        {
            if (!labelNames.isEmpty())
            {
                out.append(',');
            }
            out.append("le=\"").append(le).append('"');
        }
        out.append('}');
    }

    private static void openLabels(final StringBuilder out, final List<String> labelNames, final List<String> values)
    {
        out.append('{');
        for (int i = 0, n = labelNames.size(); i < n; i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            out.append(labelNames.get(i)).append("=\"");
            appendLabelValue(out, values.get(i));
            out.append('"');
        }
    }

    private static void header(final StringBuilder out, final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0, n = help.length(); i < n; i++)
        {
            final char c = help.charAt(i);
            if ('\\' == c)
            {
                out.append("\\\\");
            }
            else if ('\n' == c)
            {
                out.append("\\n");
            }
            else
            {
                out.append(c);
            }
        }
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static void appendLabelValue(final StringBuilder out, final String value)
    {
        for (int i = 0, n = value.length(); i < n; i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '\\':
                    out.append("\\\\");
                    break;
                case '"':
                    out.append("\\\"");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                default:
                    out.append(c);
            }
        }
    }
}
