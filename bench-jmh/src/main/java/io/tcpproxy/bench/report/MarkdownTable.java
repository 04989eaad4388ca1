package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.util.List;

/**
 * The seed README's benchmark table, one block of columns per target, then the RPS ratio of the first
 * target to each other one, then, when HAProxy or nginx ran too, the proxy against the better of them.
 */
public final class MarkdownTable
{
    private MarkdownTable()
    {
    }

    /**
     * @param report the measurements.
     * @return the table, a legend line and an errors line, each ending in a newline.
     */
    public static String render(final BenchReport report)
    {
        final List<Target> targets = report.targets();
        final List<String> rivals = BestOf.rivals(targets);
        final StringBuilder out = new StringBuilder(1024);
        out.append("| Scenario | Connections | Message Size |");
        for (final Target target : targets)
        {
            final String name = target.name();
            out.append(' ').append(name).append(" RPS | ").append(name).append(" p50 | ")
                .append(name).append(" p99 | ").append(name).append(" Throughput |");
        }
        for (int i = 1; i < targets.size(); i++)
        {
            out.append(' ').append(targets.get(0).name()).append('/').append(targets.get(i).name()).append(" RPS |");
        }
        if (!rivals.isEmpty())
        {
            out.append(' ').append(BestOf.SUBJECT).append(" / best RPS | ")
                .append(BestOf.SUBJECT).append(" / best p99 |");
        }
        out.append('\n');

        final int columns = 3 + 4 * targets.size() + Math.max(0, targets.size() - 1) + (rivals.isEmpty() ? 0 : 2);
        out.append('|');
        for (int i = 0; i < columns; i++)
        {
            out.append(i < 1 ? " --- |" : " ---: |");
        }
        out.append('\n');

        final StringBuilder errors = new StringBuilder();
        for (final Scenario scenario : report.scenarios())
        {
            out.append("| ").append(scenario.name()).append(" | ").append(scenario.connections()).append(" | ")
                .append(ScenarioFile.formatSize(scenario.messageBytes())).append(" |");
            double firstRps = Double.NaN;
            for (final Target target : targets)
            {
                final Measurement cell = report.median(scenario.name(), target.name());
                if (cell == null)
                {
                    out.append(" - | - | - | - |");
                    continue;
                }
                if (Double.isNaN(firstRps))
                {
                    firstRps = cell.requestsPerSec();
                }
                out.append(' ').append(Units.rps(cell.requestsPerSec())).append(" | ")
                    .append(Units.latency(cell.p50Ns())).append(" | ")
                    .append(Units.latency(cell.p99Ns())).append(" | ")
                    .append(Units.throughput(cell.throughputMbPerSec())).append(" |");
                if (cell.errors() > 0)
                {
                    errors.append(errors.length() == 0 ? "" : "; ").append(scenario.name()).append('/')
                        .append(target.name()).append(": ").append(cell.errors()).append(" (connect ")
                        .append(cell.connectErrors()).append(", reset ").append(cell.resets()).append(", mismatch ")
                        .append(cell.mismatches()).append(", timeout ").append(cell.timeouts()).append(')');
                }
            }
            for (int i = 1; i < targets.size(); i++)
            {
                final Measurement other = report.median(scenario.name(), targets.get(i).name());
                final double ratio = other == null || other.requestsPerSec() == 0 ? Double.NaN :
                    firstRps / other.requestsPerSec();
                out.append(' ').append(Units.ratio(ratio)).append(" |");
            }
            if (!rivals.isEmpty())
            {
                appendBestOf(out, report, scenario.name(), rivals);
            }
            out.append('\n');
        }

        out.append('\n')
            .append("RPS: echoes per second; p50/p99: round-trip latency; Throughput: echoed payload bytes per second, ")
            .append("one direction (MB = 10^6 bytes). ")
            .append(rivals.isEmpty() ? "" : bestOfLegend(rivals))
            .append(report.runs() > 1 ? "Medians of " + report.runs() + " runs. " : "One run. ")
            .append("Mode: ").append(report.mode()).append(".\n");
        out.append("Errors: ").append(errors.length() == 0 ? "none" : errors.toString()).append('\n');
        if (report.incomplete() != null)
        {
            out.append("Incomplete: ").append(report.incomplete())
                .append("; the cells marked - were not measured.\n");
        }
        return out.toString();
    }

    private static void appendBestOf(
        final StringBuilder out, final BenchReport report, final String scenario, final List<String> rivals)
    {
        final Measurement subject = report.median(scenario, BestOf.SUBJECT);
        final double bestRps = BestOf.highest(rivals, name -> rps(report.median(scenario, name)));
        final double bestP99 = BestOf.lowest(rivals, name -> p99(report.median(scenario, name)));
        out.append(' ').append(Units.ratio(rps(subject) / bestRps)).append(" | ")
            .append(Units.ratio(p99(subject) / bestP99)).append(" |");
    }

    private static double rps(final Measurement median)
    {
        return median == null ? Double.NaN : median.requestsPerSec();
    }

    private static double p99(final Measurement median)
    {
        return median == null ? Double.NaN : median.p99Ns();
    }

    private static String bestOfLegend(final List<String> rivals)
    {
        final String subject = BestOf.SUBJECT;
        return subject + " / best RPS: " + subject + "'s RPS ÷ " + BestOf.phrase(rivals, "higher") + "; " + subject +
            " / best p99: " + subject + "'s p99 ÷ " + BestOf.phrase(rivals, "lower") + " (below 1×: " + subject +
            "'s is lower). ";
    }
}
