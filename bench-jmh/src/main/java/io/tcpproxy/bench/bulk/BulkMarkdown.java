package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.BestOf;
import io.tcpproxy.bench.report.Target;

import java.util.List;
import java.util.Locale;

/**
 * The bulk table: per case, the median throughput of each target in Gbit/s, then the proxy's ratio to each other
 * target and, when HAProxy or nginx ran too, to the better of them; below it the spread (min–max) of the runs and
 * any errors.
 */
public final class BulkMarkdown
{
    private BulkMarkdown()
    {
    }

    /**
     * @param report the transfers.
     * @return the table of medians, a legend line, the table of spreads and any errors, each ending in a newline.
     */
    public static String render(final BulkReport report)
    {
        final List<Target> targets = report.targets();
        final boolean ratios = report.hasTarget(BulkReport.SUBJECT);
        final List<String> rivals = BestOf.rivals(targets);
        final StringBuilder out = new StringBuilder(2048);
        out.append("| Case |");
        for (final Target target : targets)
        {
            out.append(' ').append(target.name()).append(" Gbit/s |");
        }
        if (ratios)
        {
            for (final Target target : targets)
            {
                if (!BulkReport.SUBJECT.equals(target.name()))
                {
                    out.append(' ').append(BulkReport.SUBJECT).append('/').append(target.name()).append(" |");
                }
            }
        }
        if (!rivals.isEmpty())
        {
            out.append(' ').append(BulkReport.SUBJECT).append(" / best |");
        }
        out.append('\n');
        final int columns = 1 + targets.size() + (ratios ? targets.size() - 1 : 0) + (rivals.isEmpty() ? 0 : 1);
        out.append('|');
        for (int i = 0; i < columns; i++)
        {
            out.append(i == 0 ? " --- |" : " ---: |");
        }
        out.append('\n');

        for (final BulkCase bulkCase : report.cases())
        {
            out.append("| ").append(bulkCase.label()).append(" |");
            for (final Target target : targets)
            {
                final double median = report.medianGbitPerSec(bulkCase, target.name());
                final int errors = report.errors(bulkCase, target.name());
                out.append(' ').append(Double.isNaN(median) ? "error" : gbit(median))
                    .append(errors > 0 && !Double.isNaN(median) ? " (" + errors + " err)" : "").append(" |");
            }
            if (ratios)
            {
                final double subject = report.medianGbitPerSec(bulkCase, BulkReport.SUBJECT);
                for (final Target target : targets)
                {
                    if (!BulkReport.SUBJECT.equals(target.name()))
                    {
                        out.append(' ').append(ratio(subject / report.medianGbitPerSec(bulkCase, target.name())))
                            .append(" |");
                    }
                }
                if (!rivals.isEmpty())
                {
                    final double best = BestOf.highest(rivals, name -> report.medianGbitPerSec(bulkCase, name));
                    out.append(' ').append(ratio(subject / best)).append(" |");
                }
            }
            out.append('\n');
        }
        appendCpu(out, report, rivals);
        out.append('\n');
        out.append("Medians of ").append(report.runs()).append(" run").append(report.runs() == 1 ? "" : "s")
            .append(", payload Gbit/s (10^9 bit/s; 1 Gbit/s = 125 MB/s) from the first byte to the last over all ")
            .append("connections; ratios are of the medians")
            .append(rivals.isEmpty() ? "" : "; " + BulkReport.SUBJECT + " / best: " + BulkReport.SUBJECT + "'s ÷ " +
                BestOf.phrase(rivals, "higher"))
            .append(". ").append(report.settings()).append('\n');

        out.append('\n');
        out.append("Spread (min–max Gbit/s over the runs):\n\n");
        out.append("| Case |");
        for (final Target target : targets)
        {
            out.append(' ').append(target.name()).append(" |");
        }
        out.append('\n').append('|');
        for (int i = 0; i <= targets.size(); i++)
        {
            out.append(i == 0 ? " --- |" : " ---: |");
        }
        out.append('\n');
        for (final BulkCase bulkCase : report.cases())
        {
            out.append("| ").append(bulkCase.label()).append(" |");
            for (final Target target : targets)
            {
                final List<Double> values = report.gbitPerSec(bulkCase, target.name());
                out.append(' ').append(values.isEmpty() ? "-" :
                    gbit(values.get(0)) + "–" + gbit(values.get(values.size() - 1))).append(" |");
            }
            out.append('\n');
        }

        final StringBuilder errors = new StringBuilder();
        for (final BulkMeasurement measurement : report.measurements())
        {
            if (measurement.error() != null)
            {
                errors.append("- run ").append(measurement.run()).append(", ").append(measurement.bulkCase().label())
                    .append(" @ ").append(measurement.target()).append(": ").append(measurement.error()).append('\n');
            }
        }
        if (errors.length() > 0)
        {
            out.append('\n').append("Errors:\n\n").append(errors);
        }
        if (report.interrupted())
        {
            out.append('\n').append("Incomplete: interrupted; the cells marked - were not measured.\n");
        }
        return out.toString();
    }

    /**
     * A second table, CPU ms per GiB moved by target, and proxy / best CPU, when CPU was measured.
     */
    private static void appendCpu(final StringBuilder out, final BulkReport report, final List<String> rivals)
    {
        if (!report.hasCpu())
        {
            return;
        }
        final boolean bestOf = !rivals.isEmpty() && report.hasTarget(BulkReport.SUBJECT);
        out.append('\n').append("| Case |");
        for (final Target target : report.targets())
        {
            out.append(' ').append(target.name()).append(" CPU ms/GiB |");
        }
        out.append(bestOf ? " " + BulkReport.SUBJECT + " / best CPU |" : "").append("\n| --- |");
        for (int i = 0; i < report.targets().size() + (bestOf ? 1 : 0); i++)
        {
            out.append(" ---: |");
        }
        out.append('\n');
        for (final BulkCase bulkCase : report.cases())
        {
            out.append("| ").append(bulkCase.label()).append(" |");
            for (final Target target : report.targets())
            {
                final double cpu = report.medianCpuMsPerGib(bulkCase, target.name());
                out.append(' ').append(Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.0f", cpu)).append(" |");
            }
            if (bestOf)
            {
                final double best = BestOf.lowest(rivals, name -> report.medianCpuMsPerGib(bulkCase, name));
                out.append(' ').append(ratio(report.medianCpuMsPerGib(bulkCase, BulkReport.SUBJECT) / best)).append(" |");
            }
            out.append('\n');
        }
        out.append('\n').append("CPU ms/GiB: user + system CPU time of the target's whole process (HAProxy, nginx: ")
            .append("with their worker processes; direct: the bulk server) during the transfer, per GiB (2^30 bytes) ")
            .append("moved, from /proc/PID/stat (10 ms ticks: a transfer of well under a second reads coarse); medians")
            .append(bestOf ? "; " + BulkReport.SUBJECT + " / best CPU: " + BulkReport.SUBJECT + "'s ÷ " +
                BestOf.phrase(rivals, "lower") + " (below 1×: " + BulkReport.SUBJECT + " uses less)" : "")
            .append(".\n");
    }

    static String gbit(final double gbitPerSec)
    {
        return String.format(Locale.ROOT, "%.2f", gbitPerSec);
    }

    static String ratio(final double ratio)
    {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f×", ratio) : "-";
    }
}
