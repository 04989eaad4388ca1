package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest
{
    @Test
    void shouldTakeMediansPerCellAndSumErrors()
    {
        final BenchReport report = Reports.proxyAndDirect();

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
        final String table = MarkdownTable.render(Reports.proxyAndDirect());
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
        assertEquals(MarkdownTable.UNITS, lines[6]);
        assertEquals("Errors: big-data/proxy: 1 (connect 0, reset 1, mismatch 0, timeout 0)", lines[7]);
        assertTrue(!table.contains("CPU"), "no CPU columns when no CPU was measured:\n" + table);
    }

    @Test
    void shouldAddCpuColumnsTheProxyOverBestCpuRatioAndTheThreadGroupBreakdown()
    {
        final Scenario baseline = Reports.BASELINE;
        final BenchReport report = new BenchReport(
            List.of(new Target("proxy", "127.0.0.1", 1), new Target("direct", "127.0.0.1", 2),
                new Target("haproxy", "127.0.0.1", 3), new Target("nginx", "127.0.0.1", 4)),
            List.of(baseline), 1, "closed loop", java.time.Instant.EPOCH);
        report.add(Reports.cellWithCpu(1, baseline, "proxy", 100_000, 200, 12.0));
        report.add(Reports.cellWithCpu(1, baseline, "direct", 150_000, 100, 5.0));
        report.add(Reports.cellWithCpu(1, baseline, "haproxy", 95_000, 210, 10.0));
        report.add(Reports.cellWithCpu(1, baseline, "nginx", 90_000, 220, 15.0));

        final String table = MarkdownTable.render(report);
        final String[] lines = table.split("\n");

        assertTrue(lines[0].contains("| proxy Throughput | proxy CPU/rt | direct RPS |"), lines[0]);
        assertTrue(lines[0].endsWith("| proxy / best RPS | proxy / best p99 | proxy / best CPU |"), lines[0]);
        assertEquals(lines[0].split("\\|", -1).length, lines[1].split("\\|", -1).length, lines[1]);
        assertTrue(lines[2].contains("| 12.0μs | 150,000 |"), lines[2]);
        assertTrue(lines[2].endsWith("| 1.05× | 0.95× | 1.20× |"), lines[2]);
        assertTrue(table.contains("| Scenario | total | workers | jit |\n"), table);
        assertTrue(table.contains("| baseline | 12.0μs | 10.8μs | 1.20μs |\n"), table);

        final java.util.Map<?, ?> json = (java.util.Map<?, ?>)Json.parse(JsonReport.render(report));
        final java.util.Map<?, ?> proxyVsBest = (java.util.Map<?, ?>)((List<?>)json.get("proxy_vs_best")).get(0);
        assertEquals(1.2, ((Number)proxyVsBest.get("cpu")).doubleValue(), 1e-9);
        for (final Object median : (List<?>)json.get("medians"))
        {
            final java.util.Map<?, ?> cell = (java.util.Map<?, ?>)median;
            assertTrue(cell.get("cpu_us_per_round_trip") instanceof Number, cell.toString());
        }
    }

    @Test
    void shouldCompareTheProxyWithTheHigherRpsAndTheLowerP99OfHaproxyAndNginx()
    {
        final String[] lines = MarkdownTable.render(Reports.withRivals()).split("\n");

        assertEquals("| Scenario | Connections | Message Size |" +
            " proxy RPS | proxy p50 | proxy p99 | proxy Throughput |" +
            " direct RPS | direct p50 | direct p99 | direct Throughput |" +
            " haproxy RPS | haproxy p50 | haproxy p99 | haproxy Throughput |" +
            " nginx RPS | nginx p50 | nginx p99 | nginx Throughput |" +
            " proxy/direct RPS | proxy/haproxy RPS | proxy/nginx RPS | proxy / best RPS | proxy / best p99 |", lines[0]);
        assertEquals(24, lines[1].split("\\|", -1).length - 2, "one separator per column");
        // RPS against haproxy's 75,000 (higher than nginx's), p99 against nginx's 240μs (lower than haproxy's)
        assertEquals("| baseline | 10 | 1 KiB | 90,000 | 150μs | 300μs | 92 MB/s | 100,000 | 100μs | 200μs | 102 MB/s |" +
            " 75,000 | 200μs | 400μs | 77 MB/s | 60,000 | 120μs | 240μs | 61 MB/s | 0.90× | 1.20× | 1.50× | 1.20× | 1.25× |",
            lines[2]);
        // nginx was not measured: the best of the rivals is haproxy alone
        assertEquals("| big-data | 10 | 64 KiB | 300 | 40ms | 80ms | 20 MB/s | 400 | 20ms | 40ms | 26 MB/s |" +
            " 200 | 50ms | 100ms | 13 MB/s | - | - | - | - | 0.75× | 1.50× | - | 1.50× | 0.80× |", lines[3]);
        assertTrue(lines[5].contains("proxy / best RPS: proxy's RPS ÷ the higher of haproxy's and nginx's; " +
            "proxy / best p99: proxy's p99 ÷ the lower of haproxy's and nginx's (below 1×: proxy's is lower). "), lines[5]);
    }

    @Test
    void shouldNameTheOnlyRivalAndLeaveTheBestColumnsOutWithoutOneOrWithoutTheProxy()
    {
        final Target proxy = new Target("proxy", "127.0.0.1", 1);
        final Target direct = new Target("direct", "127.0.0.1", 2);
        final Target haproxy = new Target("haproxy", "127.0.0.1", 3);
        final Target nginx = new Target("nginx", "127.0.0.1", 4);
        assertEquals(List.of("haproxy", "nginx"), BestOf.rivals(List.of(proxy, direct, haproxy, nginx)));
        assertEquals(List.of("nginx"), BestOf.rivals(List.of(nginx, proxy)));
        assertEquals(List.of(), BestOf.rivals(List.of(proxy, direct)));
        assertEquals(List.of(), BestOf.rivals(List.of(direct, haproxy, nginx)));
        assertEquals("haproxy's", BestOf.phrase(List.of("haproxy"), "higher"));
        assertEquals(7.0, BestOf.highest(List.of("a", "b", "c"), name -> "a".equals(name) ? 7 : Double.NaN), 0);
        assertTrue(Double.isNaN(BestOf.lowest(List.of("a"), name -> Double.NaN)));

        final BenchReport report = new BenchReport(List.of(proxy, haproxy), List.of(Reports.BASELINE), 1, "closed loop",
            Instant.EPOCH);
        report.add(Reports.cell(1, Reports.BASELINE, "proxy", 50_000, 300, 0));
        report.add(Reports.cell(1, Reports.BASELINE, "haproxy", 40_000, 600, 0));
        final String[] lines = MarkdownTable.render(report).split("\n");
        assertTrue(lines[0].endsWith("| proxy/haproxy RPS | proxy / best RPS | proxy / best p99 |"), lines[0]);
        assertTrue(lines[2].endsWith("| 1.25× | 1.25× | 0.50× |"), lines[2]);
        assertTrue(lines[4].contains("proxy's RPS ÷ haproxy's; proxy / best p99: proxy's p99 ÷ haproxy's"), lines[4]);

        assertFalse(MarkdownTable.render(Reports.proxyAndDirect()).contains("best"), "no rival, no best columns");
    }

    @Test
    void shouldWriteEveryResultAsParseableJson()
    {
        final Object parsed = Json.parse(JsonReport.render(Reports.proxyAndDirect()));

        final Map<?, ?> root = (Map<?, ?>)parsed;
        assertEquals(3.0, ((Number)root.get("runs")).doubleValue());
        assertEquals(2, ((List<?>)root.get("targets")).size());
        assertEquals(2, ((List<?>)root.get("scenarios")).size());
        final List<?> results = (List<?>)root.get("results");
        assertEquals(12, results.size());
        final Map<?, ?> first = (Map<?, ?>)results.get(0);
        assertEquals("baseline", first.get("scenario"));
        assertEquals("proxy", first.get("target"));
        assertEquals(1.0, ((Number)first.get("run")).doubleValue());
        final Map<?, ?> latency = (Map<?, ?>)first.get("latency_us");
        assertEquals(150.0, ((Number)latency.get("p50")).doubleValue());
        assertEquals(450.0, ((Number)latency.get("p99_9")).doubleValue());
        assertEquals(600.0, ((Number)latency.get("max")).doubleValue());
        final List<?> medians = (List<?>)root.get("medians");
        assertEquals(4, medians.size());
        final Map<?, ?> errors = (Map<?, ?>)((Map<?, ?>)medians.get(2)).get("errors");
        assertEquals(1.0, ((Number)errors.get("total")).doubleValue());
    }

    @Test
    void shouldEscapeJsonStrings()
    {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", JsonReport.string("a\"b\\c\n\u0001"));
    }

    @Test
    void shouldDrawAWellFormedSvgWithOneBarPerCellInEachPanel() throws Exception
    {
        final String svg = SvgChart.render(Reports.proxyAndDirect());

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
    void shouldCaptionTheChartPutValuesOnBarsAndDrawP99OnALogAxis() throws Exception
    {
        final RunInfo info = new RunInfo("AMD EPYC 7B13", 2, "JDK 17.0.9 (Eclipse Adoptium)", "0.1.0");
        final String svg = SvgChart.render(Reports.proxyAndDirect(), info);

        final Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        final List<String> captions = texts(document, "caption");
        assertEquals(List.of("AMD EPYC 7B13, 2 cores · JDK 17.0.9 (Eclipse Adoptium) · tcp-proxy 0.1.0 · 2025-01-01" +
            " · units: decimal SI (k = 10^3, μs = 10^-6 s)"), captions);
        final List<String> values = texts(document, "value");
        assertEquals(2 * 2 * 2, values.size(), "a value on every bar: " + values);
        assertTrue(values.contains("82,000") && values.contains("100,000"), "RPS values: " + values);
        assertTrue(values.contains("300μs") && values.contains("84ms (1 err)"), "p99 values: " + values);
        // RPS ticks are linear from 0; p99 ticks are the decades from 100μs to 1s
        final List<String> ticks = texts(document, "tick");
        assertEquals("0", ticks.get(0));
        final List<String> decades = ticks.subList(ticks.indexOf("100μs"), ticks.size());
        assertEquals(List.of("100μs", "1.0ms", "10ms", "100ms", "1.0s"), decades);
    }

    @Test
    void shouldAddACpuPanelWithTheProxyOverBestCpu() throws Exception
    {
        final Scenario baseline = Reports.BASELINE;
        final BenchReport report = new BenchReport(
            List.of(new Target("proxy", "127.0.0.1", 1), new Target("haproxy", "127.0.0.1", 3)),
            List.of(baseline), 1, "closed loop", Instant.EPOCH);
        report.add(Reports.cellWithCpu(1, baseline, "proxy", 100_000, 200, 12.0));
        report.add(Reports.cellWithCpu(1, baseline, "haproxy", 95_000, 210, 10.0));

        final Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(new ByteArrayInputStream(SvgChart.render(report).getBytes(StandardCharsets.UTF_8)));

        final List<String> panels = texts(document, "panel-title");
        assertEquals(3, panels.size(), panels.toString());
        assertEquals("CPU per round trip, whole process (lower is better); proxy / best CPU: baseline 1.20×",
            panels.get(2));
        assertTrue(texts(document, "value").containsAll(List.of("12.0μs", "10.0μs")));
    }

    private static List<String> texts(final Document document, final String cssClass)
    {
        final List<String> texts = new java.util.ArrayList<>();
        final org.w3c.dom.NodeList nodes = document.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++)
        {
            final org.w3c.dom.Element element = (org.w3c.dom.Element)nodes.item(i);
            if (cssClass.equals(element.getAttribute("class")))
            {
                texts.add(element.getTextContent());
            }
        }
        return texts;
    }

    @Test
    void shouldPickReadableAxisSteps()
    {
        assertEquals(20_000, SvgBars.niceStep(90_000), 1e-9);
        assertEquals(0.02, SvgBars.niceStep(0.084), 1e-12);
        assertEquals(1, SvgBars.niceStep(0), 1e-9);
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
