package io.tcpproxy.bench;

import io.tcpproxy.bench.bulk.BulkJson;
import io.tcpproxy.bench.bulk.BulkMarkdown;
import io.tcpproxy.bench.bulk.BulkReport;
import io.tcpproxy.bench.bulk.BulkReports;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.JsonReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.report.Reports;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportFilesTest
{
    private static final String COMMAND = "tcp-proxy bench --with-haproxy --with-nginx --bulk";

    @Test
    void shouldPutTheMatrixAndTheBulkTableUnderTheirHeadingsBelowTheCommand()
    {
        final BenchReport matrix = Reports.withRivals();
        final BulkReport bulk = BulkReports.withRivals();

        final String markdown = ReportFiles.markdown(matrix, bulk, COMMAND);

        assertEquals("Command: `" + COMMAND + "`\n\n## Request/response matrix\n\n" + MarkdownTable.render(matrix) +
            "\n## Bulk throughput, one way\n\n" + BulkMarkdown.render(bulk), markdown);
        final List<String> lines = List.of(markdown.split("\n"));
        final int matrixRow = lines.indexOf("| baseline | 10 | 1 KiB | 90,000 | 150μs | 300μs | 92 MB/s | 100,000 | 100μs |" +
            " 200μs | 102 MB/s | 75,000 | 200μs | 400μs | 77 MB/s | 60,000 | 120μs | 240μs | 61 MB/s | 0.90× | 1.20× |" +
            " 1.50× | 1.20× | 1.25× |");
        final int bulkHeading = lines.indexOf("## Bulk throughput, one way");
        final int bulkRow = lines.indexOf("| upload 1 × 1 GiB | 8.00 | 4.00 | 2.00 | 1.60 | 0.50× | 2.00× | 2.50× | 2.00× |");
        assertEquals(2, lines.indexOf("## Request/response matrix"));
        assertTrue(4 < matrixRow && matrixRow < bulkHeading && bulkHeading < bulkRow, markdown);
        assertEquals("", lines.get(bulkHeading - 1), "a blank line between the matrix's errors line and the heading");
    }

    @Test
    void shouldLeaveTheMatrixOnlyReportAsItWas()
    {
        final BenchReport matrix = Reports.proxyAndDirect();

        assertEquals("Command: `tcp-proxy bench`\n\n" + MarkdownTable.render(matrix),
            ReportFiles.markdown(matrix, null, "tcp-proxy bench"));
        assertEquals(JsonReport.render(matrix), ReportFiles.json(matrix, null));
    }

    @Test
    void shouldAddTheBulkReportToTheMatrixJsonAsItsOwnMember()
    {
        final BenchReport matrix = Reports.withRivals();
        final BulkReport bulk = BulkReports.withRivals();

        final Map<?, ?> root = (Map<?, ?>)Json.parse(ReportFiles.json(matrix, bulk));

        assertEquals(List.of("started_at", "mode", "runs", "units", "targets", "scenarios", "results", "medians", "proxy_vs_best",
            "bulk"),
            List.copyOf(root.keySet()));
        final Map<Object, Object> matrixOnly = new LinkedHashMap<>(root);
        matrixOnly.remove("bulk");
        assertEquals(Json.parse(JsonReport.render(matrix)), matrixOnly, "the matrix's fields are unchanged");
        assertEquals(Json.parse(BulkJson.render(bulk)), root.get("bulk"), "bulk is what the bulk command writes");

        final Map<?, ?> bulkJson = (Map<?, ?>)root.get("bulk");
        assertEquals("tcp-proxy bench --bulk", bulkJson.get("command"));
        final Map<?, ?> proxyUpload = (Map<?, ?>)((List<?>)bulkJson.get("medians")).get(1);
        assertEquals("upload 1 × 1 GiB", proxyUpload.get("case"));
        assertEquals("proxy", proxyUpload.get("target"));
        assertEquals(4.0, ((Number)proxyUpload.get("gbit_per_sec")).doubleValue());
        assertEquals(500.0, ((Number)proxyUpload.get("mb_per_sec")).doubleValue());
    }

    @Test
    void shouldWriteBothIntoTheFilesAndAChartForEach(@TempDir final Path dir) throws Exception
    {
        final BenchReport matrix = Reports.withRivals();
        final BulkReport bulk = BulkReports.withRivals();

        final List<Path> written = ReportFiles.write(matrix, bulk, dir, COMMAND);

        assertEquals(List.of(dir.resolve("results.md"), dir.resolve("results.json"), dir.resolve("results.svg"),
            dir.resolve("bulk.svg")), written);
        assertTrue(Files.readString(dir.resolve("bulk.svg")).contains(">upload 1 × 1 GiB</text>"));
        assertEquals(ReportFiles.markdown(matrix, bulk, COMMAND), Files.readString(dir.resolve("results.md")));
        assertEquals(ReportFiles.json(matrix, bulk), Files.readString(dir.resolve("results.json")));
        assertTrue(Files.readString(dir.resolve("results.svg")).contains(">baseline</text>"));
    }
}
