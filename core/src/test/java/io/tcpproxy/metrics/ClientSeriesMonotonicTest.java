package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11, failure 5: with {@code metrics_client_labels = true} and {@code metrics_client_top_k = 2}, scrape
 * after every step while the top-K membership changes: no per-client counter series ever goes down and no series
 * vanishes. Uses only the collector's public API (so it runs unchanged against the seed, where
 * {@code client="other"} went down when a client moved into the top K).
 */
class ClientSeriesMonotonicTest
{
    private final MetricsRing ring = new MetricsRing(0, 4096);
    private final Map<String, Long> lastSeen = new HashMap<>();
    private long nextId = 1;
    private MetricsCollector collector;

    @AfterEach
    void free()
    {
        ring.free();
    }

    @Test
    void shouldNeverDecreaseOrDropAClientCounterWhileTopKMembershipChanges()
    {
        collector = new MetricsCollector(Config.builder().metricsClientTopK(2).metricsClientLabels(true)
            .logEvents(LogEvents.OFF).metricsLogIntervalSecs(0).build(), new MetricsRing[]{ring},
            new PrintStream(OutputStream.nullOutputStream()), () -> 0);

        final byte[][] clients = new byte[6][];
        for (int i = 0; i < clients.length; i++)
        {
            clients[i] = new byte[]{10, 0, 0, (byte)(i + 1)};
        }
        // Each step: one client opens a connection, sends some bytes, and closes; the byte counts rise so that
        // every client in turn becomes the heaviest, and earlier heavy ones fall out of the top 2.
        final long[][] steps = {
            {0, 10}, {1, 10}, {2, 5}, {3, 5}, {2, 1_000}, {3, 2_000}, {2, 1}, {4, 10_000}, {0, 1}, {5, 50_000},
            {2, 100_000}, {3, 1}, {1, 200_000}, {4, 1}, {0, 500_000}, {5, 1}, {3, 1_000_000}, {2, 1}, {1, 1}};
        long totalConnections = 0;
        for (final long[] step : steps)
        {
            final long id = nextId++;
            final long bytes = step[1];
            assertTrue(ring.opened(id, clients[(int)step[0]], 40_000));
            assertTrue(ring.bytes(id, bytes, bytes * 2));
            scrape();
            assertTrue(ring.closed(id, CloseReason.CLIENT_FIN, 1_000, bytes, bytes * 2));
            scrape();
            totalConnections++;
        }

        final MetricsSnapshot last = collector.snapshot();
        long summed = last.otherClients().totalConnections();
        for (final TrafficStats client : last.topClients())
        {
            summed += client.totalConnections();
        }
        assertEquals(totalConnections, summed, "every connection counted once, in its client's series or in other");
        assertTrue(last.topClients().size() >= 4, "clients that entered the top K were exported: " +
            last.topClients());
    }

    private void scrape()
    {
        collector.finish(false); // reads the ring and publishes at once
        final MetricsSnapshot snapshot = collector.snapshot();
        final Map<String, Long> now = new HashMap<>();
        for (final TrafficStats client : snapshot.topClients())
        {
            put(now, client);
        }
        put(now, snapshot.otherClients());
        for (final Map.Entry<String, Long> seen : lastSeen.entrySet())
        {
            final Long value = now.get(seen.getKey());
            if (null != value && value < seen.getValue())
            {
                fail("counter " + seen.getKey() + " went down from " + seen.getValue() + " to " + value);
            }
        }
        for (final String seen : lastSeen.keySet())
        {
            if (!now.containsKey(seen))
            {
                fail("series " + seen + " vanished; now " + now.keySet());
            }
        }
        lastSeen.putAll(now);
    }

    private static void put(final Map<String, Long> series, final TrafficStats client)
    {
        for (final String name : List.of("connections_total", "bytes_upstream_total", "bytes_downstream_total"))
        {
            series.put(name + "{client=" + client.name() + "}", value(client, name));
        }
    }

    private static long value(final TrafficStats client, final String name)
    {
        switch (name)
        {
            case "connections_total":
                return client.totalConnections();
            case "bytes_upstream_total":
                return client.bytesUpstream();
            default:
                return client.bytesDownstream();
        }
    }
}
