package io.tcpproxy.metrics;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.LogEvents;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The one thread that reads every worker's metrics ring, keeps the totals, per-worker, per-client and histogram
 * figures, prints the console lines, and publishes an immutable {@link MetricsSnapshot} at least every 100 ms while
 * anything changes. Internal to the proxy; public only so the facade can run it.
 */
public final class MetricsCollector implements Agent
{
    private static final long SNAPSHOT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Even when nothing changes, a fresh snapshot (uptime, timestamp) at least this often. */
    private static final long IDLE_SNAPSHOT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long BYTE_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** How long an exported client series stays after its last activity (see {@link ClientTable}). */
    static final long CLIENT_SERIES_RETENTION_NS = TimeUnit.MINUTES.toNanos(15);
    /**
     * The longest the collector parks: a snapshot interval, so what the workers published is in a snapshot at most
     * ~100 ms later (the access log's lines likewise). It used to back off from 1 to 8 ms: ~300 wake-ups a second,
     * ~8 % of the process's CPU at 100 connections, almost all parking (docs/performance-profile.md). A worker wakes
     * it sooner when its ring passes half full ({@link MetricsRing}).
     */
    static final long MAX_PARK_NS = SNAPSHOT_INTERVAL_NS;
    private static final long MIN_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final RingReader ringReader;
    private final SnapshotAssembler assembler;
    private final LongSupplier acceptorPauses;
    private long acceptorPausesSeen;
    private final ConsoleLines console;
    private final AccessLog accessLog;
    private final ConnectionEvents events;
    private final LogEvents logEvents;
    private final long summaryIntervalNs;
    private final LongSupplier nanoClock;

    private final MetricsRegistry registry;
    private final ProxyCells cells;
    private final Queue<Consumer<MetricsRegistry>> registryUpdates = new ConcurrentLinkedQueue<>();

    private long nowNs;
    private boolean changed = true;
    private long lastSnapshotNs;
    private long lastByteLogNs;
    private long lastSummaryNs;
    private boolean publishedDraining;
    private volatile boolean draining;
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile MetricsSnapshot snapshot;

    /**
     * @param config  the settings (log_events, metrics_log_interval_secs, metrics_client_top_k...).
     * @param rings   one ring per worker, in worker order.
     * @param console where the console lines go.
     * @param acceptorPauses accept pauses counted outside the workers (by the acceptor thread, if there is one).
     */
    public MetricsCollector(
        final Config config, final MetricsRing[] rings, final PrintStream console, final LongSupplier acceptorPauses)
    {
        this(config, rings, console, acceptorPauses, null);
    }

    /**
     * @param config    the settings (log_events, metrics_log_interval_secs, metrics_client_top_k...).
     * @param rings     one ring per worker, in worker order.
     * @param console   where the console lines go.
     * @param acceptorPauses accept pauses counted outside the workers (by the acceptor thread, if there is one).
     * @param accessLog where to write one line per closed connection, or null for none; closed by {@link #finish}.
     */
    public MetricsCollector(
        final Config config,
        final MetricsRing[] rings,
        final PrintStream console,
        final LongSupplier acceptorPauses,
        final AccessLog accessLog)
    {
        this(config, rings, console, acceptorPauses, accessLog, System::nanoTime, System::currentTimeMillis,
            CLIENT_SERIES_RETENTION_NS);
    }

    MetricsCollector(
        final Config config,
        final MetricsRing[] rings,
        final PrintStream console,
        final LongSupplier acceptorPauses,
        final AccessLog accessLog,
        final LongSupplier nanoClock,
        final LongSupplier epochMsClock,
        final long clientRetentionNs)
    {
        this.acceptorPauses = acceptorPauses;
        final MetricsRing[] workerRings = rings.clone();
        this.console = new ConsoleLines(console);
        this.accessLog = accessLog;
        this.logEvents = config.logEvents();
        this.summaryIntervalNs = TimeUnit.SECONDS.toNanos(config.metricsLogIntervalSecs());
        this.nanoClock = nanoClock;
        final int clientTopK = config.metricsClientTopK();
        this.registry = Families.newRegistry(config.metricsClientLabels() && clientTopK > 0);
        final ClientTable clients = new ClientTable(registry, clientTopK, clientRetentionNs);

        this.cells = new ProxyCells(registry, workerRings.length);
        this.events = new ConnectionEvents(cells, new RouteFamilies.Cells(registry, config), clients, this.console,
            accessLog, logEvents, epochMsClock);
        this.ringReader = new RingReader(workerRings, events);
        final long startNs = nanoClock.getAsLong();
        this.assembler = new SnapshotAssembler(workerRings, registry, cells, clients, epochMsClock, startNs);
        this.nowNs = startNs;
        events.nowNs = startNs;
        this.lastSnapshotNs = startNs;
        this.lastByteLogNs = startNs;
        this.lastSummaryNs = startNs;
        this.snapshot = assembler.assemble(nowNs, draining);
    }

    /**
     * Figures read at snapshot time rather than sent through the rings (the upstream servers' counters); set once
     * before the collector runs.
     *
     * @param source writes its cells, on the collector's thread, before each snapshot.
     */
    public void snapshotSource(final Consumer<MetricsRegistry> source)
    {
        assembler.source(source);
        this.snapshot = assembler.assemble(nowNs, draining);
    }

    public String roleName()
    {
        return "tcp-proxy-metrics";
    }

    /** On the collector's thread: the rings wake this thread when they pass half full. */
    public void onStart()
    {
        final Thread current = Thread.currentThread();
        thread = current;
        ringReader.readBy(current);
    }

    /** The thread is gone: nothing to wake any more (the final drain runs in {@link #finish}). */
    public void onClose()
    {
        ringReader.readBy(null);
        thread = null;
    }

    /**
     * @return how the collector's thread waits between duty cycles: parked until the next snapshot is due (at most
     * {@link #MAX_PARK_NS}), woken sooner by a worker whose ring passes half full or by {@link #draining},
     * {@link #update} and {@link #beforeStop}.
     */
    public IdleStrategy idleStrategy()
    {
        return idleStrategy(MAX_PARK_NS);
    }

    IdleStrategy idleStrategy(final long maxParkNs)
    {
        return new ParkUntilSnapshot(this, ringReader, maxParkNs);
    }

    /** @return how long to park: until the pending snapshot is due, or the longest park when none is pending. */
    long parkNs(final long maxParkNs)
    {
        if (stopping)
        {
            return MIN_PARK_NS;
        }
        if (!changed)
        {
            return maxParkNs;
        }
        final long untilSnapshotNs = lastSnapshotNs + SNAPSHOT_INTERVAL_NS - nanoClock.getAsLong();
        return Math.max(MIN_PARK_NS, Math.min(maxParkNs, untilSnapshotNs));
    }

    /**
     * The collector's thread is about to be closed: from now on it parks at most 1 ms between duty cycles, so that
     * closing its runner does not wait out a long park. Any thread.
     */
    public void beforeStop()
    {
        stopping = true;
        LockSupport.unpark(thread);
    }

    /** @return the latest snapshot. */
    public MetricsSnapshot snapshot()
    {
        return snapshot;
    }

    /** Mark the proxy as draining; the next snapshot (published at once) says so. */
    public void draining()
    {
        draining = true;
        LockSupport.unpark(thread); // rare: publish at once rather than after the park
    }

    public int doWork()
    {
        readClock();
        final int workCount = drainRings();
        final long acceptorPausesNow = acceptorPauses.getAsLong();
        if (acceptorPausesNow != acceptorPausesSeen)
        {
            events.onAcceptPaused(acceptorPausesNow - acceptorPausesSeen);
            acceptorPausesSeen = acceptorPausesNow;
            changed = true;
        }
        if (workCount > 0)
        {
            changed = true;
        }
        if (logEvents == LogEvents.ALL && nowNs - lastByteLogNs >= BYTE_LOG_INTERVAL_NS)
        {
            lastByteLogNs = nowNs;
            console.byteProgress(events.connections.values());
        }
        if (summaryIntervalNs > 0 && nowNs - lastSummaryNs >= summaryIntervalNs)
        {
            printSummary("");
        }
        console.rejectionsDue(cells.rejectedConnections.value(), nowNs);
        final boolean drainingNow = draining;
        final long sinceSnapshotNs = nowNs - lastSnapshotNs;
        if (drainingNow != publishedDraining || sinceSnapshotNs >= IDLE_SNAPSHOT_INTERVAL_NS ||
            ((changed || assembler.gaugesChanged()) && sinceSnapshotNs >= SNAPSHOT_INTERVAL_NS))
        {
            publish();
            return workCount + 1;
        }
        return workCount;
    }

    /**
     * Read everything left in the rings and publish a final snapshot; called once the workers have stopped.
     * Closes the access log.
     *
     * @param printFinalSummary whether to print the final summary line.
     */
    public void finish(final boolean printFinalSummary)
    {
        publishNow();
        console.rejectionsPending(cells.rejectedConnections.value());
        if (printFinalSummary)
        {
            printSummary("final: ");
        }
        if (null != accessLog)
        {
            accessLog.close();
        }
    }

    /**
     * Change the registry from another thread, for rare events counted outside the workers (reloads, admin
     * requests): the change runs on the collector's thread before its next snapshot. Any thread.
     *
     * @param change what to count, e.g. {@code registry -> registry.cell(FAMILY, "applied").increment()}.
     */
    public void update(final Consumer<MetricsRegistry> change)
    {
        registryUpdates.offer(change);
        LockSupport.unpark(thread); // rare (reloads, admin requests)
    }

    /** Read everything in the rings and publish a snapshot now (the final one, or in tests). */
    void publishNow()
    {
        readClock();
        while (drainRings() > 0)
        {
            changed = true;
        }
        if (logEvents == LogEvents.ALL)
        {
            console.byteProgress(events.connections.values());
        }
        publish();
    }

    private void readClock()
    {
        nowNs = nanoClock.getAsLong();
        events.nowNs = nowNs;
    }

    private int drainRings()
    {
        int workCount = ringReader.read();
        for (Consumer<MetricsRegistry> change = registryUpdates.poll(); null != change; change = registryUpdates.poll())
        {
            change.accept(registry);
            workCount++;
        }
        if (events.accessLogDirty)
        {
            events.accessLogDirty = false;
            if (!accessLog.flush())
            {
                cells.internalErrors.increment();
            }
        }
        return workCount;
    }

    private void publish()
    {
        changed = false;
        lastSnapshotNs = nowNs;
        publishedDraining = draining;
        snapshot = assembler.assemble(nowNs, publishedDraining);
    }

    private void printSummary(final String label)
    {
        console.summary(label, cells.activeConnections.value(), cells.totalConnections.value(), cells.bytesUpstream.value(),
            cells.bytesDownstream.value(), nowNs - lastSummaryNs);
        lastSummaryNs = nowNs;
    }
}
