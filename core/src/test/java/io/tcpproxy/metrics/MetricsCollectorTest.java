package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collector driven by hand: events published into real rings, {@code publishNow()} called from the test thread,
 * time from a fake clock.
 */
class MetricsCollectorTest
{
    static final byte[] CLIENT_A = {10, 0, 0, 1};
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    final long[] nowNs = {1_000_000_000L};
    final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);
    final List<MetricsRing> rings = new ArrayList<>();

    @AfterEach
    void freeRings()
    {
        rings.forEach(MetricsRing::free);
    }

    MetricsRing[] rings(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            rings.add(new MetricsRing(i, 1024));
        }
        return rings.toArray(new MetricsRing[0]);
    }

    MetricsCollector collector(final Config config, final MetricsRing[] rings, final AccessLog accessLog)
    {
        return new MetricsCollector(config, rings, console, () -> 0, accessLog, () -> nowNs[0],
            () -> 1_700_000_000_000L + TimeUnit.NANOSECONDS.toMillis(nowNs[0]), TimeUnit.MINUTES.toNanos(15));
    }

    @Test
    void shouldCountEveryEventIntoItsFamily()
    {
        final MetricsRing[] r = rings(2);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.CONNECTIONS)
            .metricsLogIntervalSecs(0).build(), r, null);

        assertTrue(r[0].opened(1, CLIENT_A, 5000));
        assertTrue(r[0].connected(1, 2 * MS));
        assertTrue(r[0].bytes(1, 100, 200));
        assertTrue(r[1].opened(2, new byte[]{10, 0, 0, 2}, 6000));
        assertTrue(r[1].connectFailed(2, CloseReason.CONNECT_REFUSED, 3 * MS));
        assertTrue(r[1].closed(2, CloseReason.CONNECT_REFUSED, 3 * MS, 0, 0));
        assertTrue(r[0].rejected(4));
        assertTrue(r[1].acceptPaused(2));
        assertTrue(r[1].internalErrors(5));
        r[0].onRingFull();
        r[0].bufferUse(16_384, 32_768, 1 << 20);
        collector.publishNow();

        MetricsSnapshot s = collector.snapshot();
        assertEquals(1, s.activeConnections());
        assertEquals(2, s.totalConnections());
        assertEquals(100, s.bytesUpstream());
        assertEquals(200, s.bytesDownstream());
        assertEquals(4, s.rejectedConnections());
        assertEquals(2, s.acceptPauses());
        assertEquals(5, s.internalErrors());
        assertEquals(1, s.ringFullCount());
        assertEquals(16_384, s.bufferBytesInUse());
        assertEquals(1, s.closes(CloseReason.CONNECT_REFUSED));
        assertEquals(1, s.connectFailures(CloseReason.CONNECT_REFUSED));
        assertEquals(List.of(new TrafficStats("0", 1, 1, 100, 200), new TrafficStats("1", 0, 1, 0, 0)), s.workers());
        assertEquals(1, s.upstreamConnectTime().count());
        assertEquals(1, s.connectionDuration().count());

        assertTrue(r[0].bytes(1, 1, 2));
        assertTrue(r[0].closed(1, CloseReason.CLIENT_FIN, 10 * MS, 101, 202));
        nowNs[0] += 2_000 * MS;
        collector.publishNow();
        s = collector.snapshot();
        assertEquals(0, s.activeConnections());
        assertEquals(101, s.bytesUpstream());
        assertEquals(1, s.closes(CloseReason.CLIENT_FIN));
        assertEquals(2_000, s.uptimeMs());

        final String text = consoleBytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[METRICS] ConnectionOpened 10.0.0.1:5000 | active: 1, total: 1\n"), text);
        assertTrue(text.contains("[METRICS] UpstreamConnectFailed 10.0.0.2:6000 | reason: connect_refused"), text);
        assertTrue(text.contains("[METRICS] ConnectionClosed 10.0.0.1:5000 | active: 0 | reason: client_fin | " +
            "up: 101B | down: 202B | duration: 10ms\n"), text);
        assertTrue(text.contains("[METRICS] ConnectionRejected x4 | max_connections: 4 | rejected: 4\n"), text);
    }

    @Test
    void shouldPrintTheSummaryInTheSeedsShape()
    {
        final MetricsRing[] r = rings(1);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(1).build(), r, null);
        assertTrue(r[0].opened(1, CLIENT_A, 5000));
        assertTrue(r[0].bytes(1, 1536, 2048));
        nowNs[0] += 1_000 * MS;
        collector.doWork();
        assertEquals("[METRICS] active: 1 | total: 1 | up: 1.5KB | down: 2.0KB | rate up: 1.5KB/s, down: 2.0KB/s\n",
            consoleBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPublishOnlyAfterTheSnapshotIntervalWhileBusy()
    {
        final MetricsRing[] r = rings(1);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0).build(), r, null);
        final MetricsSnapshot first = collector.snapshot();
        assertTrue(r[0].opened(1, CLIENT_A, 5000));
        nowNs[0] += 50 * MS;
        collector.doWork();
        assertEquals(first, collector.snapshot(), "no new snapshot within 100 ms");
        nowNs[0] += 60 * MS;
        collector.doWork();
        assertEquals(1, collector.snapshot().totalConnections());
    }

    @Test
    void shouldKeepTheClientTableEmptyWhenTopKIsZero()
    {
        final MetricsRing[] r = rings(1);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF)
            .metricsClientTopK(0).build(), r, null);
        assertTrue(r[0].opened(1, CLIENT_A, 5000));
        collector.publishNow();
        assertEquals(List.of(), collector.snapshot().topClients());
        assertEquals(new TrafficStats("other", 0, 0, 0, 0), collector.snapshot().otherClients());
        assertTrue(collector.snapshot().family(Families.CLIENT_CONNECTIONS_TOTAL).samples().isEmpty());
        assertNull(collector.snapshot().family(Families.CLIENT_CONNECTIONS_TOTAL).sample("other"));
    }

    @Test
    void shouldRetireAClientSeriesOnlyAfterItsRetentionPeriod()
    {
        final MetricsRing[] r = rings(1);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF)
            .metricsClientTopK(1).metricsClientLabels(true).build(), r, null);
        assertTrue(r[0].opened(1, CLIENT_A, 5000));
        assertTrue(r[0].bytes(1, 10, 10));
        assertTrue(r[0].closed(1, CloseReason.CLIENT_FIN, MS, 10, 10));
        assertTrue(r[0].opened(2, new byte[]{10, 0, 0, 2}, 5000));
        assertTrue(r[0].bytes(2, 100, 100));
        assertTrue(r[0].closed(2, CloseReason.CLIENT_FIN, MS, 100, 100));
        collector.publishNow();
        assertEquals(List.of(new TrafficStats("10.0.0.1", 0, 1, 10, 10), new TrafficStats("10.0.0.2", 0, 0, 0, 0)),
            collector.snapshot().topClients(), "10.0.0.2 exported once it ranks first; its earlier counts stay in other");
        assertEquals(new TrafficStats("other", 0, 1, 100, 100), collector.snapshot().otherClients());

        nowNs[0] += TimeUnit.MINUTES.toNanos(14);
        collector.publishNow();
        assertEquals(2, collector.snapshot().topClients().size(), "kept within the retention period");

        nowNs[0] += TimeUnit.MINUTES.toNanos(2);
        collector.publishNow();
        assertEquals(List.of(new TrafficStats("10.0.0.2", 0, 0, 0, 0)), collector.snapshot().topClients(),
            "idle and out of the top K past the retention: retired");
        assertEquals(new TrafficStats("other", 0, 1, 100, 100), collector.snapshot().otherClients(),
            "a retired series' counts are not moved into other");
    }

    @Test
    void shouldWriteOneAccessLogLinePerClosedConnectionAndReopen(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("access.log");
        final AccessLog log = AccessLog.toFile(file, AccessLog.Format.TEXT);
        final MetricsRing[] r = rings(2);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF).build(), r, log);
        nowNs[0] = TimeUnit.SECONDS.toNanos(60);

        assertTrue(r[1].opened(7, CLIENT_A, 5000));
        assertTrue(r[1].connected(7, 3 * MS, new byte[]{127, 0, 0, 1}, 9000));
        assertTrue(r[1].bytes(7, 1024, 2048));
        assertTrue(r[1].closed(7, CloseReason.UPSTREAM_FIN, EndedBy.UPSTREAM, 2_500 * MS, 1024, 2048));
        assertTrue(r[0].opened(8, new byte[]{10, 0, 0, 2}, 6000));
        assertTrue(r[0].connectFailed(8, CloseReason.CONNECT_TIMEOUT, 1_000 * MS));
        assertTrue(r[0].closed(8, CloseReason.CONNECT_TIMEOUT, 1_000 * MS, 0, 0));
        collector.doWork();

        // Accepted at 1_700_000_060_000 - 2_500 ms = 2023-11-14T22:14:17.500Z.
        // The collector reads worker 0's ring first.
        assertEquals(List.of(
            "10.0.0.2:6000 [14/Nov/2023:22:14:19.000] w0/- -1/1000 0 0 PC connect_timeout 0",
            "10.0.0.1:5000 [14/Nov/2023:22:14:17.500] w1/127.0.0.1:9000 3/2500 1024 2048 SD upstream_fin 0"),
            Files.readAllLines(file));

        final Path rotated = dir.resolve("access.log.1");
        Files.move(file, rotated);
        log.reopen();
        assertTrue(r[0].opened(9, CLIENT_A, 5001));
        assertTrue(r[0].closed(9, CloseReason.CLIENT_RESET, 5 * MS, 0, 0));
        collector.finish(false);
        assertEquals(2, Files.readAllLines(rotated).size());
        assertEquals(List.of("10.0.0.1:5001 [14/Nov/2023:22:14:19.995] w0/- -1/5 0 0 CC client_reset 0"),
            Files.readAllLines(file));
    }

    @Test
    void shouldWriteTheAccessLogAsJson()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AccessLog log = AccessLog.toStream(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            AccessLog.Format.JSON);
        final MetricsRing[] r = rings(1);
        final MetricsCollector collector = collector(Config.builder().logEvents(LogEvents.OFF).build(), r, log);
        nowNs[0] = TimeUnit.SECONDS.toNanos(60);
        assertTrue(r[0].opened(7, new byte[16], 5000));
        assertTrue(r[0].connected(7, 1_500_000, new byte[]{127, 0, 0, 1}, 9000));
        assertTrue(r[0].closed(7, CloseReason.IDLE_TIMEOUT, 2_500 * MS, 1, 2));
        collector.finish(false);
        assertEquals("{\"time\":\"2023-11-14T22:14:20Z\",\"accepted\":\"2023-11-14T22:14:17.500Z\"," +
            "\"client\":\"[0:0:0:0:0:0:0:0]:5000\",\"upstream\":\"127.0.0.1:9000\",\"worker\":0," +
            "\"connect_ms\":1.5,\"duration_ms\":2500.0,\"bytes_upstream\":1,\"bytes_downstream\":2," +
            "\"reason\":\"idle_timeout\",\"ended_by\":\"proxy\",\"termination_state\":\"PD\"," +
            "\"active_connections\":0}\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRefuseAnUnwritableAccessLogPathAtStart(@TempDir final Path dir)
    {
        assertThrows(IOException.class,
            () -> AccessLog.toFile(dir.resolve("missing-dir").resolve("access.log"), AccessLog.Format.TEXT));
        assertThrows(IllegalArgumentException.class, () -> AccessLog.Format.parse("xml"));
    }
}
