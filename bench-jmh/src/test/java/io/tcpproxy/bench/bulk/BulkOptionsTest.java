package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.Target;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkOptionsTest
{
    private static List<BulkCase> bothDirectionsOneAndFourConnections(final long bytesPerConnection)
    {
        return List.of(
            new BulkCase(Direction.UPLOAD, 1, bytesPerConnection),
            new BulkCase(Direction.UPLOAD, 4, bytesPerConnection),
            new BulkCase(Direction.DOWNLOAD, 1, bytesPerConnection),
            new BulkCase(Direction.DOWNLOAD, 4, bytesPerConnection));
    }

    @Test
    void shouldDefaultToOneGibibytePerConnectionBothDirectionsOneAndFourConnections()
    {
        final BulkOptions options = BulkOptions.parse(new String[]{"bulk"});
        assertEquals(BulkOptions.GIB, options.bytesPerConnection);
        assertEquals(3, options.runs);
        assertEquals(bothDirectionsOneAndFourConnections(BulkOptions.GIB), options.cases());
        assertEquals(256 * BulkOptions.MIB, options.warmupBytes);
    }

    @Test
    void shouldParseEveryOption()
    {
        final BulkOptions options = BulkOptions.parse(new String[]{"bulk", "--bytes", "2GiB", "--connections=2,8",
            "--runs", "5", "--direction", "down", "--workers", "2", "--with-haproxy", "--with-nginx",
            "--server-threads", "2", "--warmup-bytes", "0", "--timeout-secs", "60", "--out", "x", "--home", "y"});
        assertEquals(2 * BulkOptions.GIB, options.bytesPerConnection);
        assertEquals(List.of(2, 8), options.connections);
        assertEquals(List.of(Direction.DOWNLOAD), options.directions);
        assertEquals(5, options.runs);
        assertEquals(2, options.workers);
        assertEquals(2, options.serverThreads);
        assertEquals(0, options.warmupBytes);
        assertTrue(options.withHaproxy && options.withNginx);
        assertEquals("x", options.outDir);
        assertEquals("y", options.home);
    }

    @Test
    void shouldMakeQuickRunsSmaller()
    {
        final BulkOptions options = BulkOptions.parse(new String[]{"bulk", "--quick"});
        assertEquals(256 * BulkOptions.MIB, options.bytesPerConnection);
        assertEquals(64 * BulkOptions.MIB, options.warmupBytes);
        assertEquals(3 * BulkOptions.MIB, BulkOptions.parseSize("3m"));
        assertEquals(65536, BulkOptions.parseSize("65536"));
        assertEquals("1 GiB", BulkOptions.formatSize(BulkOptions.GIB));
        assertEquals("1.5 GiB", BulkOptions.formatSize(3 * BulkOptions.GIB / 2));
    }

    @Test
    void shouldRejectBadOptionsClearly()
    {
        assertTrue(assertThrows(BulkUsageException.class, () -> BulkOptions.parse(new String[]{"bulk", "--bytes", "1TB"}))
            .getMessage().contains("--bytes: expected a size like 1GiB"));
        assertTrue(assertThrows(BulkUsageException.class, () -> BulkOptions.parse(new String[]{"bulk", "--direction", "x"}))
            .getMessage().contains("--direction expects up, down or both"));
        assertTrue(assertThrows(BulkUsageException.class, () -> BulkOptions.parse(new String[]{"bulk", "--runs"}))
            .getMessage().contains("--runs needs a value"));
        assertTrue(assertThrows(BulkUsageException.class, () -> BulkOptions.parse(new String[]{"bulk", "--nope"}))
            .getMessage().contains("unknown option for 'bulk': --nope"));
        assertTrue(assertThrows(BulkUsageException.class, () -> BulkOptions.parse(new String[]{"bulk", "--connections", "1,0"}))
            .getMessage().contains("--connections expects an integer from 1"));
    }

    @Test
    void shouldMakeTheBulkPartOfBenchWithItsRunsWorkersAndRivals()
    {
        final BulkOptions full = BulkOptions.forBench(false, -1, 2, 3, true, false);
        assertEquals(bothDirectionsOneAndFourConnections(BulkOptions.GIB), full.cases());
        assertEquals(256 * BulkOptions.MIB, full.warmupBytes);
        assertEquals(2, full.runs);
        assertEquals(3, full.workers);
        assertTrue(full.withHaproxy);
        assertFalse(full.withNginx);

        final BulkOptions quick = BulkOptions.forBench(true, -1, 1, 1, false, true);
        assertEquals(64 * BulkOptions.MIB, quick.bytesPerConnection);
        assertEquals(64 * BulkOptions.MIB, quick.warmupBytes);
        assertTrue(quick.withNginx);

        final BulkOptions sized = BulkOptions.forBench(true, 16 * BulkOptions.MIB, 1, 1, false, false);
        assertEquals(16 * BulkOptions.MIB, sized.bytesPerConnection);
        assertEquals(16 * BulkOptions.MIB, sized.warmupBytes);
        assertEquals(512 * BulkOptions.MIB, BulkOptions.forBench(false, 512 * BulkOptions.MIB, 1, 1, false, false)
            .bytesPerConnection);
    }

    @Test
    void shouldRejectASizeBelowOneByte()
    {
        assertEquals(256 * BulkOptions.MIB, BulkOptions.positiveSize("--bulk-size", "256MiB"));
        assertEquals("--bulk-size expects at least 1 byte, got \"0\"", assertThrows(BulkUsageException.class,
            () -> BulkOptions.positiveSize("--bulk-size", "0")).getMessage());
    }

    @Test
    void shouldCompareTheProxyWithTheFasterOfHaproxyAndNginx()
    {
        final String[] lines = BulkMarkdown.render(BulkReports.withRivals()).split("\n");

        assertEquals("| Case | direct Gbit/s | proxy Gbit/s | haproxy Gbit/s | nginx Gbit/s |" +
            " proxy/direct | proxy/haproxy | proxy/nginx | proxy / best |", lines[0]);
        assertEquals("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", lines[1]);
        assertEquals("| upload 1 × 1 GiB | 8.00 | 4.00 | 2.00 | 1.60 | 0.50× | 2.00× | 2.50× | 2.00× |", lines[2]);
        // every haproxy transfer failed: the best of the rivals is nginx alone
        assertEquals("| download 1 × 1 GiB | 8.00 | 4.00 | error | 1.60 | 0.50× | - | 2.50× | 2.50× |", lines[3]);
        assertTrue(lines[5].contains("ratios are of the medians; proxy / best: proxy's ÷ the higher of haproxy's and " +
            "nginx's. settings."), lines[5]);
    }

    @Test
    void shouldRenderMediansRatiosSpreadAndErrors()
    {
        final BulkCase up = new BulkCase(Direction.UPLOAD, 1, BulkOptions.GIB);
        final List<Target> targets = List.of(new Target("direct", "127.0.0.1", 1), new Target("proxy", "127.0.0.1", 2),
            new Target("haproxy", "127.0.0.1", 3));
        final BulkReport report = new BulkReport(Instant.EPOCH, "tcp-proxy bulk", "settings.", targets, List.of(up), 3);
        final long gib = BulkOptions.GIB;
        // 8 Gbit/s is 1 GiB in 8 * 2^30 ns
        report.add(new BulkMeasurement(1, up, "direct", new BulkResult(gib, 4 * gib), null));
        report.add(new BulkMeasurement(2, up, "direct", new BulkResult(gib, 8 * gib), null));
        report.add(new BulkMeasurement(3, up, "direct", new BulkResult(gib, 2 * gib), null));
        report.add(new BulkMeasurement(1, up, "proxy", new BulkResult(gib, 8 * gib), null));
        report.add(new BulkMeasurement(2, up, "proxy", null, "boom"));
        report.add(new BulkMeasurement(3, up, "proxy", new BulkResult(gib, 16 * gib), null));
        report.add(new BulkMeasurement(1, up, "haproxy", new BulkResult(gib, 8 * gib), null));

        assertEquals(2.0, report.medianGbitPerSec(up, "direct"), 1e-9);
        assertEquals(0.75, report.medianGbitPerSec(up, "proxy"), 1e-9);
        final String table = BulkMarkdown.render(report);
        assertTrue(table.contains("| Case | direct Gbit/s | proxy Gbit/s | haproxy Gbit/s | proxy/direct | proxy/haproxy |"),
            table);
        assertTrue(table.contains("| upload 1 × 1 GiB | 2.00 | 0.75 (1 err) | 1.00 | 0.38× | 0.75× |"), table);
        assertTrue(table.contains("| upload 1 × 1 GiB | 1.00–4.00 | 0.50–1.00 | 1.00–1.00 |"), table);
        assertTrue(table.contains("- run 2, upload 1 × 1 GiB @ proxy: boom"), table);

        final String json = BulkJson.render(report);
        assertTrue(json.contains("\"error\": \"boom\""), json);
        assertTrue(json.contains("\"target\": \"proxy\", \"gbit_per_sec\": 0.7500"), json);
        assertFalse(json.contains("NaN"), json);
    }
}
