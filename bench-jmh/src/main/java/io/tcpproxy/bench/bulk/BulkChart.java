package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.RunInfo;
import io.tcpproxy.bench.report.SvgBars;
import io.tcpproxy.bench.report.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The chart of a bulk run's medians: Gbit/s per case and target, and CPU ms per GiB when measured; values on the bars,
 * caption with machine, JDK, version and date.
 */
public final class BulkChart
{
    private BulkChart()
    {
    }

    /**
     * @param report the transfers.
     * @return a standalone SVG document captioned with this machine and JVM.
     */
    public static String render(final BulkReport report)
    {
        return render(report, RunInfo.current());
    }

    static String render(final BulkReport report, final RunInfo info)
    {
        final List<String> targets = new ArrayList<>();
        report.targets().forEach(target -> targets.add(target.name()));
        final List<String> cases = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        for (final BulkCase bulkCase : report.cases())
        {
            cases.add(bulkCase.label());
            notes.add("");
        }
        final int rows = report.cases().size();
        final double[][] gbit = new double[rows][targets.size()];
        final String[][] gbitLabels = new String[rows][targets.size()];
        final double[][] cpu = new double[rows][targets.size()];
        final String[][] cpuLabels = new String[rows][targets.size()];
        for (int c = 0; c < rows; c++)
        {
            final BulkCase bulkCase = report.cases().get(c);
            for (int t = 0; t < targets.size(); t++)
            {
                final Target target = report.targets().get(t);
                gbit[c][t] = report.medianGbitPerSec(bulkCase, target.name());
                gbitLabels[c][t] = Double.isNaN(gbit[c][t]) ? "" : BulkMarkdown.gbit(gbit[c][t]);
                cpu[c][t] = report.medianCpuMsPerGib(bulkCase, target.name());
                cpuLabels[c][t] = Double.isNaN(cpu[c][t]) ? "" : String.format(Locale.ROOT, "%.0f ms", cpu[c][t]);
            }
        }
        final SvgBars chart = new SvgBars(
            "tcp-proxy bulk throughput, one way (medians of " + report.runs() + " run" + (report.runs() == 1 ? "" : "s") +
                (report.interrupted() ? ", interrupted" : "") + ")",
            info.caption(report.startedAt()) + " · Gbit/s = 10^9 bit/s; GiB = 2^30 bytes",
            targets, cases, notes);
        chart.panel("Throughput (higher is better)", "Gbit/s", false, gbit, gbitLabels, SvgBars::decimal);
        if (report.hasCpu())
        {
            chart.panel("CPU per GiB moved, whole process (lower is better)", "CPU ms / GiB", false, cpu, cpuLabels,
                SvgBars::decimal);
        }
        return chart.render();
    }
}
