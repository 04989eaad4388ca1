package io.tcpproxy.bench;

import io.tcpproxy.bench.bulk.BulkChart;
import io.tcpproxy.bench.bulk.BulkJson;
import io.tcpproxy.bench.bulk.BulkMarkdown;
import io.tcpproxy.bench.bulk.BulkReport;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.JsonReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.report.SvgChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code results.md}, {@code results.json} and {@code results.svg} of a report into a directory; with the
 * bulk part of {@code bench --bulk}, the Markdown and the JSON hold both, and {@code bulk.svg} is its chart.
 */
final class ReportFiles
{
    static final String MATRIX_HEADING = "## Request/response matrix";
    static final String BULK_HEADING = "## Bulk throughput, one way";

    private ReportFiles()
    {
    }

    static List<Path> write(final BenchReport report, final Path dir, final String commandLine) throws IOException
    {
        return write(report, null, dir, commandLine);
    }

    /**
     * @param bulk the bulk part, or null when there is none.
     */
    static List<Path> write(final BenchReport report, final BulkReport bulk, final Path dir, final String commandLine)
        throws IOException
    {
        Files.createDirectories(dir);
        final Path markdown = dir.resolve("results.md");
        final Path json = dir.resolve("results.json");
        final Path svg = dir.resolve("results.svg");
        Files.writeString(markdown, markdown(report, bulk, commandLine), StandardCharsets.UTF_8);
        Files.writeString(json, json(report, bulk), StandardCharsets.UTF_8);
        Files.writeString(svg, SvgChart.render(report), StandardCharsets.UTF_8);
        if (bulk == null)
        {
            return List.of(markdown, json, svg);
        }
        final Path bulkSvg = dir.resolve("bulk.svg");
        Files.writeString(bulkSvg, BulkChart.render(bulk), StandardCharsets.UTF_8);
        return List.of(markdown, json, svg, bulkSvg);
    }

    static String markdown(final BenchReport report, final BulkReport bulk, final String commandLine)
    {
        final String command = "Command: `" + commandLine + "`\n\n";
        if (bulk == null)
        {
            return command + MarkdownTable.render(report);
        }
        return command + section(MATRIX_HEADING, MarkdownTable.render(report)) + "\n" +
            section(BULK_HEADING, BulkMarkdown.render(bulk));
    }

    static String json(final BenchReport report, final BulkReport bulk)
    {
        return bulk == null ? JsonReport.render(report) : JsonReport.render(report, Map.of("bulk", BulkJson.render(bulk)));
    }

    /**
     * @return the heading, a blank line and the table, as {@code results.md} and the console show them.
     */
    static String section(final String heading, final String table)
    {
        return heading + "\n\n" + table;
    }
}
