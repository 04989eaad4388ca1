package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every result of a matrix run as JSON: the targets, the scenarios, each measurement of each run with all
 * percentiles and error counts, and the per-cell medians. Latencies are in microseconds.
 */
public final class JsonReport
{
    private JsonReport()
    {
    }

    /**
     * @param report the measurements.
     * @return a JSON document.
     */
    public static String render(final BenchReport report)
    {
        return render(report, Map.of());
    }

    /**
     * @param report   the measurements.
     * @param sections further members after the matrix's, by name in iteration order, each a JSON document (e.g.
     *                 {@code bulk}).
     * @return a JSON document.
     */
    public static String render(final BenchReport report, final Map<String, String> sections)
    {
        final StringBuilder out = new StringBuilder(4096);
        out.append("{\n");
        out.append("  \"started_at\": ").append(string(report.startedAt().toString())).append(",\n");
        out.append("  \"mode\": ").append(string(report.mode())).append(",\n");
        out.append("  \"runs\": ").append(report.runs()).append(",\n");
        if (report.incomplete() != null)
        {
            out.append("  \"incomplete\": ").append(string(report.incomplete())).append(",\n");
        }
        out.append("  \"units\": {\"latency\": \"us\", \"throughput\": \"MB/s (10^6 bytes, echoed payload, one direction)\", ")
            .append("\"rps\": \"echoes completed per second\", ")
            .append("\"cpu\": \"us of user + system CPU per echo completed in the measured window\"},\n");

        appendTargets(out, report.targets());
        boolean first;

        out.append("  \"scenarios\": [");
        first = true;
        for (final Scenario scenario : report.scenarios())
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("    {\"name\": ").append(string(scenario.name()))
                .append(", \"connections\": ").append(scenario.connections())
                .append(", \"message_bytes\": ").append(scenario.messageBytes())
                .append(", \"duration_secs\": ").append(number(scenario.durationNs() / 1e9))
                .append(", \"warmup_secs\": ").append(number(scenario.warmupNs() / 1e9))
                .append(", \"rate\": ").append(number(scenario.ratePerSec())).append('}');
        }
        out.append("\n  ],\n");

        out.append("  \"results\": [");
        first = true;
        for (final Measurement measurement : report.measurements())
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            appendMeasurement(out, measurement);
        }
        out.append("\n  ],\n");

        out.append("  \"medians\": [");
        first = true;
        for (final Scenario scenario : report.scenarios())
        {
            for (final Target target : report.targets())
            {
                final Measurement median = report.median(scenario.name(), target.name());
                if (median != null)
                {
                    out.append(first ? "\n" : ",\n");
                    first = false;
                    appendMeasurement(out, median);
                }
            }
        }
        out.append("\n  ]");
        appendBestOf(out, report);
        for (final Map.Entry<String, String> section : sections.entrySet())
        {
            // a JSON string holds no raw line break, so indenting every line keeps the document's layout
            out.append(",\n  ").append(string(section.getKey())).append(": ")
                .append(section.getValue().strip().replace("\n", "\n  "));
        }
        out.append("\n}\n");
        return out.toString();
    }

    /**
     * {@code "proxy_vs_best"}: per scenario, the proxy's RPS, p99 and CPU per round trip divided by the better of
     * HAProxy's and nginx's (higher RPS, lower p99, lower CPU), when they ran.
     */
    private static void appendBestOf(final StringBuilder out, final BenchReport report)
    {
        final List<String> rivals = BestOf.rivals(report.targets());
        if (rivals.isEmpty())
        {
            return;
        }
        out.append(",\n  \"proxy_vs_best\": [");
        boolean first = true;
        for (final Scenario scenario : report.scenarios())
        {
            final Measurement subject = report.median(scenario.name(), BestOf.SUBJECT);
            if (subject == null)
            {
                continue;
            }
            final double rps = BestOf.highest(rivals, name -> figure(report, scenario, name, Measurement::requestsPerSec));
            final double p99 = BestOf.lowest(rivals, name -> figure(report, scenario, name, cell -> cell.p99Ns()));
            final double cpu = BestOf.lowest(rivals, name -> figure(report, scenario, name,
                Measurement::cpuUsPerRoundTrip));
            out.append(first ? "\n" : ",\n").append("    {\"scenario\": ").append(string(scenario.name()))
                .append(", \"rps\": ").append(number(subject.requestsPerSec() / rps))
                .append(", \"p99\": ").append(number(subject.p99Ns() / p99))
                .append(", \"cpu\": ").append(number(subject.cpuUsPerRoundTrip() / cpu)).append('}');
            first = false;
        }
        out.append("\n  ]");
    }

    private static double figure(
        final BenchReport report,
        final Scenario scenario,
        final String target,
        final java.util.function.ToDoubleFunction<Measurement> figure)
    {
        final Measurement cell = report.median(scenario.name(), target);
        return cell == null ? Double.NaN : figure.applyAsDouble(cell);
    }

    private static void appendMeasurement(final StringBuilder out, final Measurement measurement)
    {
        out.append("    {");
        if (measurement.run() > 0)
        {
            out.append("\"run\": ").append(measurement.run()).append(", ");
        }
        out.append("\"scenario\": ").append(string(measurement.scenario().name()))
            .append(", \"target\": ").append(string(measurement.target()))
            .append(", \"connections\": ").append(measurement.scenario().connections())
            .append(", \"message_bytes\": ").append(measurement.scenario().messageBytes())
            .append(", \"requests\": ").append(measurement.requests())
            .append(", \"responses\": ").append(measurement.responses())
            .append(", \"rps\": ").append(number(measurement.requestsPerSec()))
            .append(", \"throughput_mb_per_sec\": ").append(number(measurement.throughputMbPerSec()))
            .append(", \"latency_us\": {\"p50\": ").append(micros(measurement.p50Ns()))
            .append(", \"p90\": ").append(micros(measurement.p90Ns()))
            .append(", \"p99\": ").append(micros(measurement.p99Ns()))
            .append(", \"p99_9\": ").append(micros(measurement.p999Ns()))
            .append(", \"max\": ").append(micros(measurement.maxNs()))
            .append(", \"mean\": ").append(number(measurement.meanNs() / 1000.0)).append('}')
            .append(", \"errors\": {\"total\": ").append(measurement.errors())
            .append(", \"connect\": ").append(measurement.connectErrors())
            .append(", \"reset\": ").append(measurement.resets())
            .append(", \"mismatch\": ").append(measurement.mismatches())
            .append(", \"timeout\": ").append(measurement.timeouts()).append('}');
        if (!Double.isNaN(measurement.cpuUsPerRoundTrip()))
        {
            out.append(", \"cpu_us_per_round_trip\": ").append(number(measurement.cpuUsPerRoundTrip()));
        }
        if (!measurement.cpuGroupsUsPerRoundTrip().isEmpty())
        {
            out.append(", \"cpu_us_per_round_trip_by_thread_group\": {");
            boolean first = true;
            for (final Map.Entry<String, Double> group : measurement.cpuGroupsUsPerRoundTrip().entrySet())
            {
                out.append(first ? "" : ", ").append(string(group.getKey())).append(": ").append(number(group.getValue()));
                first = false;
            }
            out.append('}');
        }
        out.append('}');
    }

    private static String micros(final long ns)
    {
        return number(ns / 1000.0);
    }

    private static String number(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /**
     * Append the {@code "targets"} member shared by the bench and bulk reports.
     *
     * @param out     the JSON being written (at object-member level, two-space indent).
     * @param targets the measured targets.
     */
    public static void appendTargets(final StringBuilder out, final List<Target> targets)
    {
        out.append("  \"targets\": [");
        boolean first = true;
        for (final Target target : targets)
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("    {\"name\": ").append(string(target.name())).append(", \"address\": ")
                .append(string(target.address())).append('}');
        }
        out.append("\n  ],\n");
    }

    /**
     * @param value any text.
     * @return it as a quoted, escaped JSON string.
     */
    public static String string(final String value)
    {
        final StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
