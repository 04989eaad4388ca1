package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.JsonReport;
import io.tcpproxy.bench.report.Target;

import java.util.Locale;

import static io.tcpproxy.bench.report.JsonReport.string;

/**
 * Every transfer of a {@code bulk} run as JSON, and the medians per case and target.
 */
public final class BulkJson
{
    private BulkJson()
    {
    }

    /**
     * @param report the transfers.
     * @return a JSON document.
     */
    public static String render(final BulkReport report)
    {
        final StringBuilder out = new StringBuilder(8192);
        out.append("{\n");
        out.append("  \"started_at\": ").append(string(report.startedAt().toString())).append(",\n");
        out.append("  \"command\": ").append(string(report.commandLine())).append(",\n");
        out.append("  \"settings\": ").append(string(report.settings())).append(",\n");
        out.append("  \"runs\": ").append(report.runs()).append(",\n");
        out.append("  \"units\": {\"gbit_per_sec\": \"10^9 payload bits per second\", ")
            .append("\"mb_per_sec\": \"10^6 payload bytes per second\", \"wall_secs\": ")
            .append("\"first byte to last byte over all connections\"},\n");

        JsonReport.appendTargets(out, report.targets());
        boolean first;

        out.append("  \"cases\": [");
        first = true;
        for (final BulkCase bulkCase : report.cases())
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("    {").append(caseFields(bulkCase)).append('}');
        }
        out.append("\n  ],\n");

        out.append("  \"results\": [");
        first = true;
        for (final BulkMeasurement measurement : report.measurements())
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("    {\"run\": ").append(measurement.run()).append(", ").append(caseFields(measurement.bulkCase()))
                .append(", \"target\": ").append(string(measurement.target()));
            final BulkResult result = measurement.result();
            if (result != null)
            {
                out.append(", \"total_bytes\": ").append(result.totalBytes())
                    .append(", \"wall_secs\": ").append(number(result.wallNs() / 1e9))
                    .append(", \"gbit_per_sec\": ").append(number(result.gbitPerSec()))
                    .append(", \"mb_per_sec\": ").append(number(result.mbPerSec()));
                if (!Double.isNaN(measurement.cpuMsPerGib()))
                {
                    out.append(", \"cpu_ms_per_gib\": ").append(number(measurement.cpuMsPerGib()));
                }
            }
            else
            {
                out.append(", \"error\": ").append(string(measurement.error()));
            }
            out.append('}');
        }
        out.append("\n  ],\n");

        out.append("  \"medians\": [");
        first = true;
        for (final BulkCase bulkCase : report.cases())
        {
            for (final Target target : report.targets())
            {
                final double gbit = report.medianGbitPerSec(bulkCase, target.name());
                out.append(first ? "\n" : ",\n");
                first = false;
                out.append("    {").append(caseFields(bulkCase))
                    .append(", \"target\": ").append(string(target.name()))
                    .append(", \"gbit_per_sec\": ").append(number(gbit))
                    .append(", \"mb_per_sec\": ").append(number(gbit * 125))
                    .append(", \"ok_runs\": ").append(report.gbitPerSec(bulkCase, target.name()).size())
                    .append(", \"errors\": ").append(report.errors(bulkCase, target.name()));
                final double cpu = report.medianCpuMsPerGib(bulkCase, target.name());
                if (!Double.isNaN(cpu))
                {
                    out.append(", \"cpu_ms_per_gib\": ").append(number(cpu));
                }
                out.append('}');
            }
        }
        out.append("\n  ]\n");
        out.append("}\n");
        return out.toString();
    }

    private static String caseFields(final BulkCase bulkCase)
    {
        return "\"case\": " + string(bulkCase.label()) +
            ", \"direction\": " + string(bulkCase.direction().label()) +
            ", \"connections\": " + bulkCase.connections() +
            ", \"bytes_per_connection\": " + bulkCase.bytesPerConnection();
    }

    private static String number(final double value)
    {
        if (!Double.isFinite(value))
        {
            return "null";
        }
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
