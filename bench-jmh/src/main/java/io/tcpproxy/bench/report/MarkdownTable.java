package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import io.tcpproxy.bench.cpu.ThreadGroups;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The seed README's benchmark table, one block of columns per target, then the RPS ratio of the first
 * target to each other one, then, when HAProxy or nginx ran too, the proxy against the better of them.
 */
public final class MarkdownTable
{
    /** The footer that says which units the tables use. */
    public static final String UNITS = "Units: decimal SI for rates and times (1 MB = 10^6 bytes, k = 10^3, " +
        "1 μs = 10^-6 s); message and transfer sizes binary (1 KiB = 1024 bytes, 1 GiB = 2^30 bytes).";

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
        final List<String> withCpu = targetsWithCpu(report);
        final boolean cpuRatio = !rivals.isEmpty() && withCpu.contains(BestOf.SUBJECT) && rivals.stream()
            .anyMatch(withCpu::contains);
        final StringBuilder out = new StringBuilder(1024);
        out.append("| Scenario | Connections | Message Size |");
        for (final Target target : targets)
        {
            final String name = target.name();
            out.append(' ').append(name).append(" RPS | ").append(name).append(" p50 | ")
                .append(name).append(" p99 | ").append(name).append(" Throughput |");
            if (withCpu.contains(name))
            {
                out.append(' ').append(name).append(" CPU/rt |");
            }
        }
        for (int i = 1; i < targets.size(); i++)
        {
            out.append(' ').append(targets.get(0).name()).append('/').append(targets.get(i).name()).append(" RPS |");
        }
        if (!rivals.isEmpty())
        {
            out.append(' ').append(BestOf.SUBJECT).append(" / best RPS | ")
                .append(BestOf.SUBJECT).append(" / best p99 |");
            if (cpuRatio)
            {
                out.append(' ').append(BestOf.SUBJECT).append(" / best CPU |");
            }
        }
        out.append('\n');

        final int columns = 3 + 4 * targets.size() + withCpu.size() + Math.max(0, targets.size() - 1) +
            (rivals.isEmpty() ? 0 : 2) + (cpuRatio ? 1 : 0);
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
                    out.append(" - | - | - | - |").append(withCpu.contains(target.name()) ? " - |" : "");
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
                if (withCpu.contains(target.name()))
                {
                    out.append(' ').append(Units.cpuPerRoundTrip(cell.cpuUsPerRoundTrip())).append(" |");
                }
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
                if (cpuRatio)
                {
                    final double bestCpu = BestOf.lowest(rivals, name -> cpu(report.median(scenario.name(), name)));
                    out.append(' ').append(Units.ratio(cpu(report.median(scenario.name(), BestOf.SUBJECT)) / bestCpu))
                        .append(" |");
                }
            }
            out.append('\n');
        }

        out.append('\n')
            .append("RPS: echoes per second; p50/p99: round-trip latency; Throughput: echoed payload bytes per second, ")
            .append("one direction. ")
            .append(withCpu.isEmpty() ? "" : "CPU/rt: user + system CPU time of the target's whole process (HAProxy, " +
                "nginx: with their worker processes) over the measured window, per echo completed in it, from " +
                "/proc/PID/stat (10 ms ticks, so windows of a few seconds read within a few %). ")
            .append(rivals.isEmpty() ? "" : bestOfLegend(rivals))
            .append(cpuRatio ? BestOf.SUBJECT + " / best CPU: " + BestOf.SUBJECT + "'s CPU/rt ÷ " +
                BestOf.phrase(rivals, "lower") + " (below 1×: " + BestOf.SUBJECT + " uses less). " : "")
            .append(report.runs() > 1 ? "Medians of " + report.runs() + " runs. " : "One run. ")
            .append("Mode: ").append(report.mode()).append(".\n");
        out.append(UNITS).append('\n');
        out.append("Errors: ").append(errors.length() == 0 ? "none" : errors.toString()).append('\n');
        appendCpuBreakdown(out, report);
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

    /**
     * The proxy's CPU per round trip by thread group, one row per scenario, when it was measured.
     */
    private static void appendCpuBreakdown(final StringBuilder out, final BenchReport report)
    {
        final List<String> groups = new ArrayList<>();
        for (final Scenario scenario : report.scenarios())
        {
            final Measurement cell = report.median(scenario.name(), BestOf.SUBJECT);
            if (cell != null)
            {
                cell.cpuGroupsUsPerRoundTrip().forEach((group, us) ->
                {
                    if (us > 0 && !groups.contains(group))
                    {
                        groups.add(group);
                    }
                });
            }
        }
        if (groups.isEmpty())
        {
            return;
        }
        groups.sort(Comparator.comparingInt(ThreadGroups.GROUPS::indexOf));
        out.append('\n').append("CPU of ").append(BestOf.SUBJECT).append(" by thread group (μs per round trip):\n\n")
            .append("| Scenario | total |");
        groups.forEach(group -> out.append(' ').append(group).append(" |"));
        out.append("\n| --- | ---: |");
        groups.forEach(group -> out.append(" ---: |"));
        out.append('\n');
        for (final Scenario scenario : report.scenarios())
        {
            final Measurement cell = report.median(scenario.name(), BestOf.SUBJECT);
            if (cell == null)
            {
                continue;
            }
            out.append("| ").append(scenario.name()).append(" | ").append(Units.cpuPerRoundTrip(cell.cpuUsPerRoundTrip()))
                .append(" |");
            groups.forEach(group -> out.append(' ')
                .append(Units.cpuPerRoundTrip(cell.cpuGroupsUsPerRoundTrip().getOrDefault(group, 0.0))).append(" |"));
            out.append('\n');
        }
        out.append('\n').append("Thread groups: workers (tcp-proxy-worker-N, tcp-proxy-acceptor), collector ")
            .append("(tcp-proxy-metrics), http (tcp-proxy-metrics-http), jit (C1/C2 compiler threads), gc, other; ")
            .append("living threads only, so the groups can sum to less than the total.\n");
    }

    private static List<String> targetsWithCpu(final BenchReport report)
    {
        final List<String> names = new ArrayList<>();
        for (final Target target : report.targets())
        {
            for (final Scenario scenario : report.scenarios())
            {
                final Measurement cell = report.median(scenario.name(), target.name());
                if (cell != null && !Double.isNaN(cell.cpuUsPerRoundTrip()))
                {
                    names.add(target.name());
                    break;
                }
            }
        }
        return names;
    }

    private static double cpu(final Measurement median)
    {
        return median == null ? Double.NaN : median.cpuUsPerRoundTrip();
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
