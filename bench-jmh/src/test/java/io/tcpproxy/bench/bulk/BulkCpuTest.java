package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.Target;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkCpuTest
{
    @Test
    void shouldReportCpuPerGibByTargetAndTheProxyOverTheBestInTableJsonAndChart() throws Exception
    {
        final long gib = BulkOptions.GIB;
        final BulkCase up = new BulkCase(Direction.UPLOAD, 1, gib);
        final BulkReport report = new BulkReport(Instant.EPOCH, "tcp-proxy bulk", "settings",
            List.of(new Target("direct", "127.0.0.1", 1), new Target("proxy", "127.0.0.1", 2),
                new Target("haproxy", "127.0.0.1", 3), new Target("nginx", "127.0.0.1", 4)),
            List.of(up), 3);
        for (int run = 1; run <= 3; run++)
        {
            report.add(new BulkMeasurement(run, up, "direct", new BulkResult(gib, gib), null, 100 + run));
            report.add(new BulkMeasurement(run, up, "proxy", new BulkResult(gib, gib), null, run == 2 ? 300 : 900));
            report.add(new BulkMeasurement(run, up, "haproxy", new BulkResult(gib, gib), null, 400));
            report.add(new BulkMeasurement(run, up, "nginx", new BulkResult(gib, gib), null, 600));
        }

        final String table = BulkMarkdown.render(report);

        assertTrue(table.contains("| Case | direct CPU ms/GiB | proxy CPU ms/GiB | haproxy CPU ms/GiB | nginx CPU ms/GiB |" +
            " proxy / best CPU |\n"), table);
        assertTrue(table.contains("| upload 1 × 1 GiB | 102 | 900 | 400 | 600 | 2.25× |\n"), table);
        final Map<?, ?> json = (Map<?, ?>)Json.parse(BulkJson.render(report));
        final Map<?, ?> proxy = (Map<?, ?>)((List<?>)json.get("medians")).get(1);
        assertEquals("proxy", proxy.get("target"));
        assertEquals(900.0, ((Number)proxy.get("cpu_ms_per_gib")).doubleValue());

        final String svg = BulkChart.render(report,
            new io.tcpproxy.bench.report.RunInfo("AMD EPYC", 2, "JDK 17", "0.1.0"));
        final org.w3c.dom.Document document = javax.xml.parsers.DocumentBuilderFactory.newInstance()
            .newDocumentBuilder().parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        final org.w3c.dom.NodeList texts = document.getElementsByTagName("text");
        final List<String> values = new java.util.ArrayList<>();
        String caption = null;
        for (int i = 0; i < texts.getLength(); i++)
        {
            final org.w3c.dom.Element text = (org.w3c.dom.Element)texts.item(i);
            if ("value".equals(text.getAttribute("class")))
            {
                values.add(text.getTextContent());
            }
            if ("caption".equals(text.getAttribute("class")))
            {
                caption = text.getTextContent();
            }
        }
        assertEquals(List.of("8.00", "8.00", "8.00", "8.00", "102 ms", "900 ms", "400 ms", "600 ms"), values);
        assertTrue(caption.startsWith("AMD EPYC, 2 cores · JDK 17 · tcp-proxy 0.1.0 · 1970-01-01"), caption);
    }
}
