package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The chart of a matrix run's medians: RPS, p99 latency on a logarithmic axis (one slow cell does not flatten the
 * rest) and, when measured, CPU per round trip; one group per scenario, one bar per target, values on the bars, a
 * caption with machine, JDK, version and date.
 */
public final class SvgChart
{
    private SvgChart()
    {
    }

    /**
     * @param report the measurements.
     * @return a standalone SVG document captioned with this machine and JVM.
     */
    public static String render(final BenchReport report)
    {
        return render(report, RunInfo.current());
    }

    /**
     * @param report the measurements.
     * @param info   where it ran, for the caption.
     * @return a standalone SVG document.
     */
    public static String render(final BenchReport report, final RunInfo info)
    {
        final List<Scenario> scenarios = report.scenarios();
        final List<String> targets = new ArrayList<>();
        report.targets().forEach(target -> targets.add(target.name()));
        final List<String> names = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            names.add(scenario.name());
            notes.add(scenario.connections() + " × " + ScenarioFile.formatSize(scenario.messageBytes()));
        }
        final SvgBars chart = new SvgBars(
            "tcp-proxy echo benchmark (" + report.mode() + (report.runs() > 1 ? ", medians of " + report.runs() +
                " runs" : "") + (report.incomplete() != null ? ", incomplete: " + report.incomplete() : "") + ")",
            info.caption(report.startedAt()) + " · units: decimal SI (k = 10^3, μs = 10^-6 s)",
            targets, names, notes);
        chart.panel("Requests per second (higher is better)", "requests/s", false,
            values(report, Measurement::requestsPerSec),
            labels(report, cell -> Units.rps(cell.requestsPerSec())), SvgBars::decimal);
        chart.panel("p99 latency (lower is better, log scale)", "p99", true,
            values(report, cell -> cell.p99Ns() > 0 ? cell.p99Ns() : Double.NaN),
            labels(report, cell -> Units.latency(cell.p99Ns())), ns -> Units.latency((long)ns));
        final double[][] cpu = values(report, Measurement::cpuUsPerRoundTrip);
        boolean anyCpu = false;
        for (final double[] row : cpu)
        {
            for (final double value : row)
            {
                anyCpu |= !Double.isNaN(value);
            }
        }
        if (anyCpu)
        {
            final List<String> rivals = BestOf.rivals(report.targets());
            chart.panel("CPU per round trip, whole process (lower is better)" +
                (rivals.isEmpty() ? "" : "; proxy / best CPU: " + cpuRatios(report, rivals)), "μs CPU / round trip",
                false, cpu, labels(report, cell -> Units.cpuPerRoundTrip(cell.cpuUsPerRoundTrip())), SvgBars::decimal);
        }
        return chart.render();
    }

    private static String cpuRatios(final BenchReport report, final List<String> rivals)
    {
        final StringBuilder out = new StringBuilder();
        for (final Scenario scenario : report.scenarios())
        {
            final Measurement proxy = report.median(scenario.name(), BestOf.SUBJECT);
            final double best = BestOf.lowest(rivals, name ->
            {
                final Measurement cell = report.median(scenario.name(), name);
                return cell == null ? Double.NaN : cell.cpuUsPerRoundTrip();
            });
            out.append(out.length() == 0 ? "" : ", ").append(scenario.name()).append(' ')
                .append(Units.ratio(proxy == null ? Double.NaN : proxy.cpuUsPerRoundTrip() / best));
        }
        return out.toString();
    }

    private static double[][] values(final BenchReport report, final ToDoubleFunction<Measurement> figure)
    {
        final double[][] values = new double[report.scenarios().size()][report.targets().size()];
        for (int s = 0; s < values.length; s++)
        {
            for (int t = 0; t < values[s].length; t++)
            {
                final Measurement cell = report.median(report.scenarios().get(s).name(), report.targets().get(t).name());
                values[s][t] = cell == null ? Double.NaN : figure.applyAsDouble(cell);
            }
        }
        return values;
    }

    private static String[][] labels(final BenchReport report, final Function<Measurement, String> label)
    {
        final String[][] labels = new String[report.scenarios().size()][report.targets().size()];
        for (int s = 0; s < labels.length; s++)
        {
            for (int t = 0; t < labels[s].length; t++)
            {
                final Measurement cell = report.median(report.scenarios().get(s).name(), report.targets().get(t).name());
                labels[s][t] = cell == null ? "" : label.apply(cell) +
                    (cell.errors() > 0 ? " (" + cell.errors() + " err)" : "");
            }
        }
        return labels;
    }
}
