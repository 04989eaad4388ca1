package io.tcpproxy.bench;

import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.JsonReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.report.SvgChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes {@code results.md}, {@code results.json} and {@code results.svg} of a report into a directory.
 */
final class ReportFiles
{
    private ReportFiles()
    {
    }

    static List<Path> write(final BenchReport report, final Path dir, final String commandLine) throws IOException
    {
        Files.createDirectories(dir);
        final Path markdown = dir.resolve("results.md");
        final Path json = dir.resolve("results.json");
        final Path svg = dir.resolve("results.svg");
        Files.writeString(markdown, "Command: `" + commandLine + "`\n\n" + MarkdownTable.render(report),
            StandardCharsets.UTF_8);
        Files.writeString(json, JsonReport.render(report), StandardCharsets.UTF_8);
        Files.writeString(svg, SvgChart.render(report), StandardCharsets.UTF_8);
        return List.of(markdown, json, svg);
    }
}
