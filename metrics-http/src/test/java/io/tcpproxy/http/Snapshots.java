package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.HistogramSnapshot;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built snapshots with distinct, recognisable values.
 */
final class Snapshots
{
    static final double[] DURATION_BOUNDS_SECS = {0.001, 0.01, 0.1, 1, 10, 60, 300};
    static final double[] CONNECT_BOUNDS_SECS = {0.0001, 0.0005, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5};

    private Snapshots()
    {
    }

    static MetricsSnapshot sample(final boolean clientLabels, final boolean draining)
    {
        return withClients(clientLabels, draining, List.of(
            new TrafficStats("10.0.0.7", 2, 9, 7_000_000_000L, 1_234),
            new TrafficStats("192.168.1.20", 1, 4, 4_096, 65_536),
            new TrafficStats("2001:db8::1", 0, 1, 10, 20)));
    }

    static MetricsSnapshot withClients(
        final boolean clientLabels, final boolean draining, final List<TrafficStats> clients)
    {
        final long[] closes = new long[CloseReason.values().length];
        final long[] failures = new long[CloseReason.values().length];
        for (final CloseReason reason : CloseReason.values())
        {
            closes[reason.ordinal()] = 100 + reason.ordinal();
            if (reason.isConnectFailure())
            {
                failures[reason.ordinal()] = 200 + reason.ordinal();
            }
        }
        return new MetricsSnapshot(
            1_700_000_000_123L,
            12_345,
            3,
            42,
            1_048_576,
            2_097_152,
            5,
            closes,
            failures,
            7,
            11,
            draining,
            List.of(new TrafficStats("0", 2, 30, 1_000_000, 2_000_000), new TrafficStats("1", 1, 12, 48_576, 97_152)),
            clients,
            new TrafficStats("other", 0, 28, 13, 17),
            clientLabels,
            new HistogramSnapshot(DURATION_BOUNDS_SECS, new long[]{1, 3, 3, 10, 20, 30, 38}, 39, 123.25),
            new HistogramSnapshot(CONNECT_BOUNDS_SECS, new long[]{0, 5, 20, 30, 35, 40, 40, 41}, 41, 0.0425),
            16_384,
            65_536,
            134_217_728);
    }

    static MetricsSnapshot manyClients(final int count)
    {
        final List<TrafficStats> clients = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            clients.add(new TrafficStats(
                "10." + (i >> 16 & 0xFF) + "." + (i >> 8 & 0xFF) + "." + (i & 0xFF), 1, i, i * 10L, i * 20L));
        }
        return withClients(true, false, clients);
    }

    static MetricsSnapshot empty()
    {
        final int reasons = CloseReason.values().length;
        return new MetricsSnapshot(0, 0, 0, 0, 0, 0, 0, new long[reasons], new long[reasons], 0, 0, false,
            List.of(), List.of(), new TrafficStats("other", 0, 0, 0, 0), true,
            new HistogramSnapshot(new double[0], new long[0], 0, 0),
            new HistogramSnapshot(new double[0], new long[0], 0, 0),
            0, 0, 0);
    }
}
