package io.tcpproxy.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A hand-written SVG of grouped bar panels sharing one legend: one group per case (scenario, bulk case, settings
 * combination), one bar per series (target), each bar with its value written on it, a linear or logarithmic axis
 * per panel, a title and a caption (machine, JDK, version, date).
 */
public final class SvgBars
{
    private static final String[] COLOURS =
        { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f" };
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TITLE_HEIGHT = 84;
    private static final int PANEL_HEIGHT = 340;
    private static final int PLOT_TOP = 30;
    private static final int PLOT_HEIGHT = 230;
    private static final int CAPTION_HEIGHT = 30;
    private static final int TARGET_TICKS = 6;
    /** Room above the highest bar for its rotated value. */
    private static final double HEADROOM = 1.3;

    private final String title;
    private final String caption;
    private final List<String> series;
    private final List<String> groups;
    private final List<String> groupNotes;
    private final List<Panel> panels = new ArrayList<>();

    private record Panel(
        String title, String axisTitle, boolean log, double[][] values, String[][] labels, DoubleFunction<String> tick)
    {
    }

    /**
     * @param title      the chart's title.
     * @param caption    a line under the chart, e.g. {@link RunInfo#caption}.
     * @param series     bar names in legend order (targets).
     * @param groups     group names (scenarios or cases).
     * @param groupNotes a second line under each group name, e.g. {@code 10 × 1 KiB}; may be empty strings.
     */
    public SvgBars(
        final String title,
        final String caption,
        final List<String> series,
        final List<String> groups,
        final List<String> groupNotes)
    {
        this.title = title;
        this.caption = caption;
        this.series = List.copyOf(series);
        this.groups = List.copyOf(groups);
        this.groupNotes = List.copyOf(groupNotes);
    }

    /**
     * Add a panel.
     *
     * @param panelTitle e.g. {@code p99 latency (lower is better, log scale)}.
     * @param axisTitle  the y axis's title.
     * @param log        true for a logarithmic axis (values must be positive; others are drawn as missing).
     * @param values     [group][series]; NaN for a bar that was not measured.
     * @param labels     [group][series]: the text written on each bar.
     * @param tick       formats an axis tick.
     * @return this.
     */
    public SvgBars panel(
        final String panelTitle,
        final String axisTitle,
        final boolean log,
        final double[][] values,
        final String[][] labels,
        final DoubleFunction<String> tick)
    {
        panels.add(new Panel(panelTitle, axisTitle, log, values, labels, tick));
        return this;
    }

    /**
     * @return a standalone SVG document.
     */
    public String render()
    {
        final int groupWidth = Math.max(120, series.size() * 26 + 40);
        final int width = Math.max(800, LEFT + RIGHT + groups.size() * groupWidth);
        final int height = TITLE_HEIGHT + panels.size() * PANEL_HEIGHT + CAPTION_HEIGHT;
        final StringBuilder svg = new StringBuilder(16 * 1024);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
            .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
            .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        text(svg, width / 2.0, 24, "middle", 16, "bold", "title", title);

        double legendX = LEFT;
        for (int s = 0; s < series.size(); s++)
        {
            svg.append("<rect x=\"").append(fmt(legendX)).append("\" y=\"44\" width=\"14\" height=\"14\" fill=\"")
                .append(colour(s)).append("\"/>\n");
            text(svg, legendX + 20, 56, "start", 12, "normal", "legend", series.get(s));
            legendX += 40 + 8 * series.get(s).length();
        }
        for (int p = 0; p < panels.size(); p++)
        {
            panel(svg, panels.get(p), TITLE_HEIGHT + p * PANEL_HEIGHT, width, groupWidth);
        }
        text(svg, LEFT, height - 12, "start", 11, "normal", "caption", caption);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private void panel(
        final StringBuilder svg, final Panel panel, final int top, final int width, final int groupWidth)
    {
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (final double[] row : panel.values)
        {
            for (final double value : row)
            {
                if (Double.isFinite(value) && value > 0)
                {
                    max = Math.max(max, value);
                    min = Math.min(min, value);
                }
            }
        }
        final int plotTop = top + PLOT_TOP;
        final int plotBottom = plotTop + PLOT_HEIGHT;
        final int plotRight = width - RIGHT;
        final List<Double> ticks = new ArrayList<>();
        final double axisMin;
        final double axisMax;
        if (panel.log)
        {
            axisMin = max > 0 ? Math.pow(10, Math.floor(Math.log10(min))) : 1;
            axisMax = max > 0 ? Math.pow(10, Math.ceil(Math.log10(max * HEADROOM * HEADROOM))) : 10;
            for (double decade = axisMin; decade <= axisMax * 1.0001; decade *= 10)
            {
                ticks.add(decade);
            }
        }
        else
        {
            final double step = niceStep(max * HEADROOM);
            final int count = (int)Math.max(1, Math.ceil(max * HEADROOM / step));
            axisMin = 0;
            axisMax = step * count;
            for (int i = 0; i <= count; i++)
            {
                ticks.add(step * i);
            }
        }

        text(svg, LEFT, top + 16, "start", 14, "bold", "panel-title", panel.title);
        for (int i = 0; i < ticks.size(); i++)
        {
            final double y = y(ticks.get(i), axisMin, axisMax, panel.log, plotBottom);
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(fmt(y)).append("\" x2=\"")
                .append(plotRight).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"")
                .append(i == 0 ? "#333333" : "#dddddd").append("\"/>\n");
            text(svg, LEFT - 8, y + 4, "end", 11, "normal", "tick", panel.tick.apply(ticks.get(i)));
        }
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(plotTop).append("\" x2=\"").append(LEFT)
            .append("\" y2=\"").append(plotBottom).append("\" stroke=\"#333333\"/>\n");
        final double axisTitleY = plotTop + PLOT_HEIGHT / 2.0;
        svg.append("<text x=\"18\" y=\"").append(fmt(axisTitleY))
            .append("\" text-anchor=\"middle\" class=\"axis-title\" transform=\"rotate(-90 18 ")
            .append(fmt(axisTitleY)).append(")\">").append(escape(panel.axisTitle)).append("</text>\n");

        final double barWidth = Math.min(24, (groupWidth - 24.0) / series.size());
        for (int g = 0; g < groups.size(); g++)
        {
            final double groupLeft = LEFT + g * (double)groupWidth + (groupWidth - barWidth * series.size()) / 2;
            for (int s = 0; s < series.size(); s++)
            {
                final double value = panel.values[g][s];
                if (!Double.isFinite(value) || (panel.log && value <= 0))
                {
                    continue;
                }
                final double barTop = y(Math.max(value, axisMin), axisMin, axisMax, panel.log, plotBottom);
                final double x = groupLeft + s * barWidth;
                final String label = panel.labels[g][s];
                svg.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(barTop)).append("\" width=\"")
                    .append(fmt(barWidth - 2)).append("\" height=\"").append(fmt(plotBottom - barTop))
                    .append("\" fill=\"").append(colour(s)).append("\"><title>")
                    .append(escape(series.get(s) + ", " + groups.get(g) + ": " + label)).append("</title></rect>\n");
                final double labelX = x + (barWidth - 2) / 2 + 3;
                final double labelY = barTop - 4;
                svg.append("<text x=\"").append(fmt(labelX)).append("\" y=\"").append(fmt(labelY))
                    .append("\" text-anchor=\"start\" font-size=\"9\" class=\"value\" transform=\"rotate(-90 ")
                    .append(fmt(labelX)).append(' ').append(fmt(labelY)).append(")\">").append(escape(label))
                    .append("</text>\n");
            }
            final double centre = LEFT + g * (double)groupWidth + groupWidth / 2.0;
            text(svg, centre, plotBottom + 16, "middle", 11, "normal", "group", groups.get(g));
            if (!groupNotes.get(g).isEmpty())
            {
                text(svg, centre, plotBottom + 30, "middle", 10, "normal", "group-note", groupNotes.get(g));
            }
        }
    }

    private static double y(
        final double value, final double axisMin, final double axisMax, final boolean log, final int plotBottom)
    {
        final double fraction = log ?
            (Math.log10(value) - Math.log10(axisMin)) / (Math.log10(axisMax) - Math.log10(axisMin)) :
            axisMax == 0 ? 0 : value / axisMax;
        return plotBottom - PLOT_HEIGHT * fraction;
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

    /**
     * @param value an axis value.
     * @return e.g. {@code 250k}, {@code 1.5M}, {@code 40}, {@code 2.5}.
     */
    public static String decimal(final double value)
    {
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
        if (value == Math.rint(value))
        {
            return Long.toString((long)value);
        }
        return String.format(Locale.ROOT, value < 1 ? "%.2f" : "%.1f", value);
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
        final String cssClass,
        final String content)
    {
        svg.append("<text x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" text-anchor=\"")
            .append(anchor).append("\" font-size=\"").append(size).append("\" class=\"").append(cssClass).append('"');
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
