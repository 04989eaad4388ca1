package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest
{
    private static final long SEC = TimeUnit.SECONDS.toNanos(1);
    private static final Scenario BASELINE = new Scenario("baseline", 10, 1024, 5 * SEC, SEC, 0);
    private static final Scenario BIG = new Scenario("big-data", 10, 65536, 5 * SEC, SEC, 0);

    private static Measurement cell(
        final int run, final Scenario scenario, final String target, final double rps, final long p99Us, final long errors)
    {
        return new Measurement(run, scenario, target, (long)rps * 5, (long)rps * 5, rps,
            rps * scenario.messageBytes() / 1e6, p99Us * 500, p99Us * 800, p99Us * 1000, p99Us * 1500, p99Us * 2000,
            p99Us * 600.0, 0, errors, 0, 0);
    }

    private static BenchReport report()
    {
        final BenchReport report = new BenchReport(
            List.of(new Target("proxy", "127.0.0.1", 3000), new Target("direct", "127.0.0.1", 8081)),
            List.of(BASELINE, BIG), 3, "closed loop", Instant.parse("2025-01-01T00:00:00Z"));
        for (int run = 1; run <= 3; run++)
        {
            report.add(cell(run, BASELINE, "proxy", 80_000 + run * 1_000, 300, 0));
            report.add(cell(run, BASELINE, "direct", 100_000, 200, 0));
            report.add(cell(run, BIG, "proxy", 200 + run, 84_000, run == 2 ? 1 : 0));
            report.add(cell(run, BIG, "direct", 400, 40_000, 0));
        }
        return report;
    }

    @Test
    void shouldTakeMediansPerCellAndSumErrors()
    {
        final BenchReport report = report();

        final Measurement median = report.median("baseline", "proxy");
        assertEquals(82_000, median.requestsPerSec(), 1e-9);
        assertEquals(300_000, median.p99Ns());
        assertEquals(0, median.run());
        assertEquals(1, report.median("big-data", "proxy").resets());
        assertNull(report.median("baseline", "haproxy"));
    }

    @Test
    void shouldRenderTheSeedsTableWithOneRowPerScenarioAndARatioColumn()
    {
        final String table = MarkdownTable.render(report());
        final String[] lines = table.split("\n");

        assertEquals("| Scenario | Connections | Message Size | proxy RPS | proxy p50 | proxy p99 | proxy Throughput |" +
            " direct RPS | direct p50 | direct p99 | direct Throughput | proxy/direct RPS |", lines[0]);
        assertTrue(lines[1].startsWith("| --- | ---: |"), lines[1]);
        assertEquals(12, lines[1].split("\\|", -1).length - 2, "one separator per column");
        assertEquals("| baseline | 10 | 1 KiB | 82,000 | 150μs | 300μs | 84 MB/s | 100,000 | 100μs | 200μs | 102 MB/s | 0.82× |",
            lines[2]);
        assertTrue(lines[3].startsWith("| big-data | 10 | 64 KiB | 202 | 42ms | 84ms | 13 MB/s | 400 |"), lines[3]);
        assertTrue(lines[3].endsWith("| 0.51× |"), lines[3]);
        assertEquals("", lines[4]);
        assertTrue(lines[5].contains("Medians of 3 runs"), lines[5]);
        assertEquals("Errors: big-data/proxy: 1 (connect 0, reset 1, mismatch 0, timeout 0)", lines[6]);
    }

    @Test
    void shouldWriteEveryResultAsParseableJson()
    {
        final Object parsed = MiniJson.parse(JsonReport.render(report()));

        final Map<?, ?> root = (Map<?, ?>)parsed;
        assertEquals(3.0, root.get("runs"));
        assertEquals(2, ((List<?>)root.get("targets")).size());
        assertEquals(2, ((List<?>)root.get("scenarios")).size());
        final List<?> results = (List<?>)root.get("results");
        assertEquals(12, results.size());
        final Map<?, ?> first = (Map<?, ?>)results.get(0);
        assertEquals("baseline", first.get("scenario"));
        assertEquals("proxy", first.get("target"));
        assertEquals(1.0, first.get("run"));
        final Map<?, ?> latency = (Map<?, ?>)first.get("latency_us");
        assertEquals(150.0, latency.get("p50"));
        assertEquals(450.0, latency.get("p99_9"));
        assertEquals(600.0, latency.get("max"));
        final List<?> medians = (List<?>)root.get("medians");
        assertEquals(4, medians.size());
        assertEquals(1.0, ((Map<?, ?>)((Map<?, ?>)medians.get(2)).get("errors")).get("total"));
    }

    @Test
    void shouldEscapeJsonStrings()
    {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", JsonReport.string("a\"b\\c\n\u0001"));
    }

    @Test
    void shouldDrawAWellFormedSvgWithOneBarPerCellInEachPanel() throws Exception
    {
        final String svg = SvgChart.render(report());

        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        final Document document = factory.newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", document.getDocumentElement().getLocalName());
        final int bars = document.getElementsByTagName("title").getLength();
        assertEquals(2 * 2 * 2, bars, "2 scenarios x 2 targets x 2 panels");
        assertTrue(svg.contains(">proxy</text>") && svg.contains(">direct</text>"), "legend");
        assertTrue(svg.contains("Requests per second") && svg.contains("p99 latency"), "panel titles");
        assertTrue(svg.contains(">baseline</text>") && svg.contains(">big-data</text>"), "scenario labels");
    }

    @Test
    void shouldPickReadableAxisSteps()
    {
        assertEquals(20_000, SvgChart.niceStep(90_000), 1e-9);
        assertEquals(0.02, SvgChart.niceStep(0.084), 1e-12);
        assertEquals(1, SvgChart.niceStep(0), 1e-9);
    }

    @Test
    void shouldFormatFiguresLikeTheSeed()
    {
        assertEquals("83,394", Units.rps(83_393.6));
        assertEquals("110μs", Units.latency(110_000));
        assertEquals("2.4ms", Units.latency(2_400_000));
        assertEquals("42ms", Units.latency(42_000_000));
        assertEquals("5.5 MB/s", Units.throughput(5.49));
        assertEquals("0.97×", Units.ratio(0.9712));
    }

    @Test
    void shouldParseTargets()
    {
        assertEquals(new Target("haproxy", "127.0.0.1", 3001), Target.parse("haproxy=127.0.0.1:3001"));
        assertEquals("[::1]:80", Target.parse("v6=[::1]:80").address());
        final IllegalArgumentException error =
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Target.parse("x=host"));
        assertTrue(error.getMessage().contains("NAME=HOST:PORT"), error.getMessage());
    }
}
