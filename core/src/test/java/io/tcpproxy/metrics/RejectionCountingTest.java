package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Refusals in the collector, time from a fake clock: counted by reason (closes for an access reason too), and a
 * flood of them summed into at most one console line a second.
 */
class RejectionCountingTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long[] nowNs = {1_000_000_000L};
    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final MetricsRing[] rings = {new MetricsRing(0, 1 << 16), new MetricsRing(1, 1 << 16)};
    private final MetricsCollector collector = new MetricsCollector(
        Config.builder().logEvents(LogEvents.CONNECTIONS).metricsLogIntervalSecs(0).build(), rings,
        new PrintStream(consoleBytes, true, StandardCharsets.UTF_8), () -> 0, null, () -> nowNs[0],
        () -> 1_700_000_000_000L, TimeUnit.MINUTES.toNanos(15));

    @AfterEach
    void freeRings()
    {
        for (final MetricsRing ring : rings)
        {
            ring.free();
        }
    }

    @Test
    void shouldPrintTheFirstRefusalAtOnceAndSumAFloodIntoOneLineASecond()
    {
        rings[0].rejected(RejectReason.DENIED, 1);
        collector.doWork();
        assertEquals(List.of("[METRICS] ConnectionRejected x1 | denied: 1 | rejected: 1"), lines());

        for (int i = 0; i < 1_000; i++)
        {
            rings[i & 1].rejected(RejectReason.DENIED, 1);
            if (i % 100 == 0)
            {
                nowNs[0] += 50 * MS;
                collector.doWork();
            }
        }
        rings[1].rejected(RejectReason.RATE_LIMITED, 5);
        rings[0].rejected(RejectReason.MAX_CONNECTIONS, 2);
        collector.doWork();
        assertEquals(1, lines().size(), "a flood within the second prints nothing more yet");

        nowNs[0] += 1_000 * MS;
        collector.doWork();
        assertEquals(List.of("[METRICS] ConnectionRejected x1 | denied: 1 | rejected: 1",
            "[METRICS] ConnectionRejected x1007 | max_connections: 2, denied: 1000, rate_limited: 5 | rejected: 1008"),
            lines());

        nowNs[0] += 10_000 * MS;
        collector.doWork();
        assertEquals(2, lines().size(), "nothing to say, nothing printed");

        rings[0].rejected(RejectReason.CLIENT_LIMIT, 3);
        collector.doWork();
        assertEquals("[METRICS] ConnectionRejected x3 | client_limit: 3 | rejected: 1011", lines().get(2),
            "after a quiet second the next refusal prints at once");

        rings[0].rejected(RejectReason.DENIED, 4);
        collector.finish(false);
        assertEquals("[METRICS] ConnectionRejected x4 | denied: 4 | rejected: 1015", lines().get(3),
            "what is still summed is printed when the proxy stops");

        final MetricsSnapshot snapshot = collector.snapshot();
        assertEquals(1015, snapshot.rejectedConnections());
        assertEquals(1005, snapshot.rejectedConnections(RejectReason.DENIED));
        assertEquals(5, snapshot.rejectedConnections(RejectReason.RATE_LIMITED));
        assertEquals(3, snapshot.rejectedConnections(RejectReason.CLIENT_LIMIT));
        assertEquals(2, snapshot.rejectedConnections(RejectReason.MAX_CONNECTIONS));
        assertEquals(1015, snapshot.value(AccessFamilies.CONNECTIONS_REJECTED_ALL));
        assertEquals(0, snapshot.totalConnections(), "refused at accept: never a connection");
    }

    @Test
    void shouldCountAConnectionClosedForAnAccessReasonAsARefusal()
    {
        // refused after its PROXY header named the real client: opened, then closed with the reason
        rings[0].opened(1, new byte[]{10, 0, 0, 1}, 5000);
        rings[0].closed(1, CloseReason.DENIED, 3 * MS, 0, 0);
        rings[0].opened(2, new byte[]{10, 0, 0, 2}, 5000);
        rings[0].closed(2, CloseReason.RATE_LIMITED, 3 * MS, 0, 0);
        rings[0].opened(3, new byte[]{10, 0, 0, 3}, 5000);
        rings[0].closed(3, CloseReason.CLIENT_FIN, 3 * MS, 10, 10);
        collector.publishNow();

        final MetricsSnapshot snapshot = collector.snapshot();
        assertEquals(1, snapshot.rejectedConnections(RejectReason.DENIED));
        assertEquals(1, snapshot.rejectedConnections(RejectReason.RATE_LIMITED));
        assertEquals(2, snapshot.rejectedConnections());
        assertEquals(1, snapshot.closes(CloseReason.DENIED));
        assertEquals(3, snapshot.totalConnections());
    }

    private List<String> lines()
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : consoleBytes.toString(StandardCharsets.UTF_8).split("\n"))
        {
            if (line.contains("ConnectionRejected"))
            {
                lines.add(line);
            }
        }
        return lines;
    }
}
