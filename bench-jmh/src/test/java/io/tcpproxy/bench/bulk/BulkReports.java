package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.Target;

import java.time.Instant;
import java.util.List;

/**
 * Bulk reports built from fixed transfers, for the report tests of this package and of {@code bench --bulk}.
 */
public final class BulkReports
{
    private BulkReports()
    {
    }

    /**
     * Upload: direct 8, proxy 4, haproxy 2, nginx 1.6 Gbit/s. Download: the same but every haproxy transfer failed.
     *
     * @return direct, proxy, haproxy and nginx over 1 GiB, one connection, both directions, one run.
     */
    public static BulkReport withRivals()
    {
        final BulkCase up = new BulkCase(Direction.UPLOAD, 1, BulkOptions.GIB);
        final BulkCase down = new BulkCase(Direction.DOWNLOAD, 1, BulkOptions.GIB);
        final List<Target> targets = List.of(new Target("direct", "127.0.0.1", 1), new Target("proxy", "127.0.0.1", 2),
            new Target("haproxy", "127.0.0.1", 3), new Target("nginx", "127.0.0.1", 4));
        final BulkReport report = new BulkReport(
            Instant.EPOCH, "tcp-proxy bench --bulk", "settings.", targets, List.of(up, down), 1);
        final long gib = BulkOptions.GIB;
        for (final BulkCase bulkCase : List.of(up, down))
        {
            // 1 GiB in n * 2^30 ns is 8 / n Gbit/s
            report.add(new BulkMeasurement(1, bulkCase, "direct", new BulkResult(gib, gib), null));
            report.add(new BulkMeasurement(1, bulkCase, "proxy", new BulkResult(gib, 2 * gib), null));
            report.add(bulkCase == up ? new BulkMeasurement(1, bulkCase, "haproxy", new BulkResult(gib, 4 * gib), null) :
                new BulkMeasurement(1, bulkCase, "haproxy", null, "connection reset"));
            report.add(new BulkMeasurement(1, bulkCase, "nginx", new BulkResult(gib, 5 * gib), null));
        }
        return report;
    }
}
