package io.tcpproxy.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Builds the collector's snapshots: the figures the workers write directly (not through the ring), the uptime, the
 * client series' retirement and the {@link #source snapshot source}, then the registry's immutable copy.
 */
final class SnapshotAssembler
{
    private final MetricsRing[] rings;
    private final MetricsRegistry registry;
    private final ProxyCells cells;
    private final ClientTable clients;
    private final LongSupplier epochMsClock;
    private final long startNs;
    /** The rings' figures summed, as {@link #readRings} last read them. */
    private long ringFull;
    private long bufferInUse;
    private long bufferHighWater;
    private long bufferLimit;
    private long publishedRingFull;
    private long publishedBufferInUse;
    private long publishedBufferHighWater;
    private volatile Consumer<MetricsRegistry> source;

    SnapshotAssembler(
        final MetricsRing[] rings,
        final MetricsRegistry registry,
        final ProxyCells cells,
        final ClientTable clients,
        final LongSupplier epochMsClock,
        final long startNs)
    {
        this.rings = rings;
        this.registry = registry;
        this.cells = cells;
        this.clients = clients;
        this.epochMsClock = epochMsClock;
        this.startNs = startNs;
    }

    /** @param source writes its cells before each snapshot (see {@link MetricsCollector#snapshotSource}). */
    void source(final Consumer<MetricsRegistry> source)
    {
        this.source = source;
    }

    /** @return whether the figures the workers write directly differ from the last snapshot. */
    boolean gaugesChanged()
    {
        readRings();
        return ringFull != publishedRingFull || bufferInUse != publishedBufferInUse ||
            bufferHighWater != publishedBufferHighWater;
    }

    MetricsSnapshot assemble(final long nowNs, final boolean draining)
    {
        readRings();
        publishedRingFull = ringFull;
        publishedBufferInUse = bufferInUse;
        publishedBufferHighWater = bufferHighWater;
        cells.ringFull.set(ringFull);
        cells.bufferInUse.set(bufferInUse);
        cells.bufferHighWater.set(bufferHighWater);
        cells.bufferLimit.set(bufferLimit);
        cells.drainingCell.set(draining ? 1 : 0);
        final long uptimeMs = TimeUnit.NANOSECONDS.toMillis(nowNs - startNs);
        cells.uptime.setDouble(uptimeMs / 1000.0);
        clients.beforeSnapshot(nowNs);
        final Consumer<MetricsRegistry> snapshotSource = source;
        if (snapshotSource != null)
        {
            snapshotSource.accept(registry);
        }
        return registry.snapshot(epochMsClock.getAsLong(), uptimeMs);
    }

    private void readRings()
    {
        ringFull = 0;
        bufferInUse = 0;
        bufferHighWater = 0;
        bufferLimit = 0;
        for (final MetricsRing ring : rings)
        {
            ringFull += ring.ringFullCount();
            bufferInUse += ring.bufferBytesInUse();
            bufferHighWater += ring.bufferBytesHighWater();
            bufferLimit += ring.bufferBytesLimit();
        }
    }
}
