package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A hand-written SVG of the medians: two grouped bar charts, RPS and p99 latency, with one group per scenario
 * and one bar per target, axes, gridlines, a legend and a tooltip on each bar.
 */
public final class SvgChart
{
    private static final String[] COLOURS =
        { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f" };
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TITLE_HEIGHT = 70;
    private static final int PANEL_HEIGHT = 320;
    private static final int PLOT_TOP = 30;
    private static final int PLOT_HEIGHT = 220;
    private static final int TARGET_TICKS = 8;

    private SvgChart()
    {
    }

    /**
     * @param report the measurements.
     * @return a standalone SVG document.
     */
    public static String render(final BenchReport report)
    {
        final List<Scenario> scenarios = report.scenarios();
        final List<Target> targets = report.targets();
        final int groupWidth = Math.max(110, targets.size() * 24 + 36);
        final int width = Math.max(800, LEFT + RIGHT + scenarios.size() * groupWidth);
        final int height = TITLE_HEIGHT + 2 * PANEL_HEIGHT;

        final StringBuilder svg = new StringBuilder(16 * 1024);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
            .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(svg, width / 2.0, 24, "middle", 16, "bold",
            "tcp-proxy echo benchmark (" + report.mode() + (report.runs() > 1 ? ", medians of " + report.runs() +
            " runs" : "") + ")");

        double legendX = LEFT;
        for (int t = 0; t < targets.size(); t++)
        {
            svg.append("<rect x=\"").append(fmt(legendX)).append("\" y=\"40\" width=\"14\" height=\"14\" fill=\"")
                .append(colour(t)).append("\"/>\n");
            text(svg, legendX + 20, 52, "start", 12, "normal", targets.get(t).name());
            legendX += 40 + 8 * targets.get(t).name().length();
        }

        panel(svg, report, TITLE_HEIGHT, width, groupWidth, "Requests per second (higher is better)",
            Measurement::requestsPerSec, false);
        panel(svg, report, TITLE_HEIGHT + PANEL_HEIGHT, width, groupWidth, "p99 latency, ms (lower is better)",
            measurement -> measurement.p99Ns() / 1_000_000.0, true);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(
        final StringBuilder svg,
        final BenchReport report,
        final int top,
        final int width,
        final int groupWidth,
        final String title,
        final ToDoubleFunction<Measurement> figure,
        final boolean latency)
    {
        final List<Scenario> scenarios = report.scenarios();
        final List<Target> targets = report.targets();
        double max = 0;
        for (final Scenario scenario : scenarios)
        {
            for (final Target target : targets)
            {
                final Measurement cell = report.median(scenario.name(), target.name());
                if (cell != null)
                {
                    max = Math.max(max, figure.applyAsDouble(cell));
                }
            }
        }
        final double step = niceStep(max);
        final int ticks = (int)Math.max(1, Math.ceil(max / step));
        final double axisMax = step * ticks;
        final int plotTop = top + PLOT_TOP;
        final int plotBottom = plotTop + PLOT_HEIGHT;
        final int plotRight = width - RIGHT;

        text(svg, LEFT, top + 16, "start", 14, "bold", title);
        for (int i = 0; i <= ticks; i++)
        {
            final double value = step * i;
            final double y = plotBottom - PLOT_HEIGHT * value / axisMax;
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(fmt(y)).append("\" x2=\"")
                .append(plotRight).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"")
                .append(i == 0 ? "#333333" : "#dddddd").append("\"/>\n");
            text(svg, LEFT - 8, y + 4, "end", 11, "normal", tick(value, step, latency));
        }
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(plotTop).append("\" x2=\"").append(LEFT)
            .append("\" y2=\"").append(plotBottom).append("\" stroke=\"#333333\"/>\n");
        final double axisTitleY = plotTop + PLOT_HEIGHT / 2.0;
        svg.append("<text x=\"18\" y=\"").append(fmt(axisTitleY)).append("\" text-anchor=\"middle\" transform=\"rotate(-90 18 ")
            .append(fmt(axisTitleY)).append(")\">").append(escape(latency ? "p99 (ms)" : "requests/s"))
            .append("</text>\n");

        final double barWidth = Math.min(24, (groupWidth - 24.0) / targets.size());
        for (int s = 0; s < scenarios.size(); s++)
        {
            final Scenario scenario = scenarios.get(s);
            final double groupLeft = LEFT + s * (double)groupWidth + (groupWidth - barWidth * targets.size()) / 2;
            for (int t = 0; t < targets.size(); t++)
            {
                final Measurement cell = report.median(scenario.name(), targets.get(t).name());
                if (cell == null)
                {
                    continue;
                }
                final double value = figure.applyAsDouble(cell);
                final double barHeight = axisMax == 0 ? 0 : PLOT_HEIGHT * value / axisMax;
                final String label = targets.get(t).name() + ", " + scenario.name() + ": " +
                    (latency ? Units.latency(cell.p99Ns()) : Units.rps(value) + " RPS") +
                    (cell.errors() > 0 ? ", " + cell.errors() + " errors" : "");
                svg.append("<rect x=\"").append(fmt(groupLeft + t * barWidth)).append("\" y=\"")
                    .append(fmt(plotBottom - barHeight)).append("\" width=\"").append(fmt(barWidth - 2))
                    .append("\" height=\"").append(fmt(barHeight)).append("\" fill=\"").append(colour(t))
                    .append("\"><title>").append(escape(label)).append("</title></rect>\n");
            }
            final double centre = LEFT + s * (double)groupWidth + groupWidth / 2.0;
            text(svg, centre, plotBottom + 16, "middle", 11, "normal", scenario.name());
            text(svg, centre, plotBottom + 30, "middle", 10, "normal",
                scenario.connections() + " × " + ScenarioFile.formatSize(scenario.messageBytes()));
        }
        text(svg, (LEFT + plotRight) / 2.0, plotBottom + 50, "middle", 12, "normal",
            "scenario (connections × message size)");
    }

    static double niceStep(final double max)
    {
        if (!(max > 0))
        {
            return 1;
        }
        final double raw = max / TARGET_TICKS;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        final double normalised = raw / magnitude;
        final double nice = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 2.5 ? 2.5 : normalised <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String tick(final double value, final double step, final boolean latency)
    {
        if (latency)
        {
            return step >= 1 ? String.format(Locale.ROOT, "%.0f", value) :
                step >= 0.1 ? String.format(Locale.ROOT, "%.1f", value) : String.format(Locale.ROOT, "%.2f", value);
        }
        if (value >= 1_000_000)
        {
            return trim(value / 1_000_000) + "M";
        }
        if (value >= 1_000)
        {
            return trim(value / 1_000) + "k";
        }
        return trim(value);
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String colour(final int index)
    {
        return COLOURS[index % COLOURS.length];
    }

    private static void text(
        final StringBuilder svg,
        final double x,
        final double y,
        final String anchor,
        final int size,
        final String weight,
        final String content)
    {
        svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" text-anchor=\"")
            .append(anchor).append("\" font-size=\"").append(size).append('"');
        if (!"normal".equals(weight))
        {
            svg.append(" font-weight=\"").append(weight).append('"');
        }
        svg.append('>').append(escape(content)).append("</text>\n");
    }

    private static String fmt(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
