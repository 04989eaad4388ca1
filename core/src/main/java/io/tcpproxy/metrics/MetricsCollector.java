package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private static final int READ_LIMIT_PER_RING = 4096;
    private static final String PREFIX = "[METRICS] ";

    private static final double[] DURATION_BOUNDS_SECS =
        {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
    private static final double[] CONNECT_BOUNDS_SECS =
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final MetricsRing[] rings;
    private final LongSupplier acceptorPauses;
    private long acceptorPausesSeen;
    private final MessageHandler[] handlers;
    private final PrintStream console;
    private final Config.LogEvents logEvents;
    private final long summaryIntervalNs;
    private final int clientTopK;
    private final int maxTrackedClients;
    private final boolean clientLabelsExported;
    private final long startNs;

    private final Long2ObjectHashMap<ConnectionEntry> connections = new Long2ObjectHashMap<>();
    private final Map<String, ClientEntry> clients = new HashMap<>();
    private final ClientEntry evictedClients = new ClientEntry("other");
    private final long[] workerActive;
    private final long[] workerTotal;
    private final long[] workerUp;
    private final long[] workerDown;
    private final long[] closesByReason = new long[CloseReason.values().length];
    private final long[] connectFailuresByReason = new long[CloseReason.values().length];
    private final Histogram connectionDuration = new Histogram(DURATION_BOUNDS_SECS);
    private final Histogram upstreamConnectTime = new Histogram(CONNECT_BOUNDS_SECS);
    private long activeConnections;
    private long totalConnections;
    private long bytesUpstream;
    private long bytesDownstream;
    private long rejectedConnections;
    private long acceptPauses;

    private long nowNs;
    private boolean changed = true;
    private long lastSnapshotNs;
    private long lastByteLogNs;
    private long lastSummaryNs;
    private long lastAcceptPauseLogNs;
    private long lastSummaryUp;
    private long lastSummaryDown;
    private boolean publishedDraining;
    private volatile boolean draining;
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
        this.acceptorPauses = acceptorPauses;
        this.rings = rings.clone();
        this.console = console;
        this.logEvents = config.logEvents();
        this.summaryIntervalNs = TimeUnit.SECONDS.toNanos(config.metricsLogIntervalSecs());
        this.clientTopK = config.metricsClientTopK();
        this.maxTrackedClients = Math.max(1024, clientTopK * 16);
        this.clientLabelsExported = config.metricsClientLabels() && clientTopK > 0;
        this.workerActive = new long[rings.length];
        this.workerTotal = new long[rings.length];
        this.workerUp = new long[rings.length];
        this.workerDown = new long[rings.length];
        this.handlers = new MessageHandler[rings.length];
        for (int i = 0; i < rings.length; i++)
        {
            final int workerIndex = i;
            handlers[i] = (msgTypeId, buffer, index, length) -> onMessage(workerIndex, msgTypeId, buffer, index);
        }
        this.startNs = System.nanoTime();
        this.nowNs = startNs;
        this.lastSnapshotNs = startNs;
        this.lastByteLogNs = startNs;
        this.lastSummaryNs = startNs;
        this.snapshot = buildSnapshot();
    }

    public String roleName()
    {
        return "tcp-proxy-metrics";
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
    }

    public int doWork()
    {
        nowNs = System.nanoTime();
        final int workCount = drainRings();
        final long acceptorPausesNow = acceptorPauses.getAsLong();
        if (acceptorPausesNow != acceptorPausesSeen)
        {
            onAcceptPaused(acceptorPausesNow - acceptorPausesSeen);
            acceptorPausesSeen = acceptorPausesNow;
            changed = true;
        }
        if (workCount > 0)
        {
            changed = true;
        }
        if (logEvents == Config.LogEvents.ALL && nowNs - lastByteLogNs >= BYTE_LOG_INTERVAL_NS)
        {
            lastByteLogNs = nowNs;
            logByteProgress();
        }
        if (summaryIntervalNs > 0 && nowNs - lastSummaryNs >= summaryIntervalNs)
        {
            printSummary("");
        }
        final boolean drainingNow = draining;
        final long sinceSnapshotNs = nowNs - lastSnapshotNs;
        if (drainingNow != publishedDraining || sinceSnapshotNs >= IDLE_SNAPSHOT_INTERVAL_NS ||
            ((changed || gaugesChanged()) && sinceSnapshotNs >= SNAPSHOT_INTERVAL_NS))
        {
            publish();
            return workCount + 1;
        }
        return workCount;
    }

    /**
     * Read everything left in the rings and publish a final snapshot; called once the workers have stopped.
     *
     * @param printFinalSummary whether to print the final summary line.
     */
    public void finish(final boolean printFinalSummary)
    {
        nowNs = System.nanoTime();
        while (drainRings() > 0)
        {
            changed = true;
        }
        if (logEvents == Config.LogEvents.ALL)
        {
            logByteProgress();
        }
        publish();
        if (printFinalSummary)
        {
            printSummary("final: ");
        }
    }

    private int drainRings()
    {
        int workCount = 0;
        for (int i = 0; i < rings.length; i++)
        {
            workCount += rings[i].ring().read(handlers[i], READ_LIMIT_PER_RING);
        }
        return workCount;
    }

    private void publish()
    {
        changed = false;
        lastSnapshotNs = nowNs;
        publishedDraining = draining;
        snapshot = buildSnapshot();
    }

    /** Figures the workers write directly (not through the ring) that differ from the last snapshot. */
    private boolean gaugesChanged()
    {
        long ringFull = 0;
        long bufferInUse = 0;
        long bufferHighWater = 0;
        for (final MetricsRing ring : rings)
        {
            ringFull += ring.ringFullCount();
            bufferInUse += ring.bufferBytesInUse();
            bufferHighWater += ring.bufferBytesHighWater();
        }
        return ringFull != snapshot.ringFullCount() || bufferInUse != snapshot.bufferBytesInUse() ||
            bufferHighWater != snapshot.bufferBytesHighWater();
    }

    private void onMessage(final int workerIndex, final int type, final DirectBuffer buffer, final int index)
    {
        switch (type)
        {
            case MetricsRing.OPENED:
                onOpened(workerIndex, buffer, index);
                break;
            case MetricsRing.CONNECTED:
                upstreamConnectTime.record(buffer.getLong(index + MetricsRing.NS_OFFSET));
                break;
            case MetricsRing.CONNECT_FAILED:
                onConnectFailed(buffer, index);
                break;
            case MetricsRing.BYTES:
                onBytes(workerIndex, buffer, index);
                break;
            case MetricsRing.CLOSED:
                onClosed(workerIndex, buffer, index);
                break;
            case MetricsRing.REJECTED:
                onRejected(buffer.getLong(index));
                break;
            case MetricsRing.ACCEPT_PAUSED:
                onAcceptPaused(buffer.getLong(index));
                break;
            default:
                break;
        }
    }

    private void onAcceptPaused(final long count)
    {
        acceptPauses += count;
        // While descriptors stay exhausted each worker pauses about ten times a second: one line a second is enough.
        if (nowNs - lastAcceptPauseLogNs >= BYTE_LOG_INTERVAL_NS || lastAcceptPauseLogNs == 0)
        {
            console.println("[WARN] accepting paused for 100ms: too many open files (raise `ulimit -n`) | pauses: " +
                acceptPauses);
            lastAcceptPauseLogNs = nowNs;
        }
    }

    private void onOpened(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = buffer.getLong(index + MetricsRing.ID_OFFSET);
        final int port = buffer.getInt(index + MetricsRing.OPENED_PORT_OFFSET);
        final byte[] address = new byte[buffer.getInt(index + MetricsRing.OPENED_ADDRESS_LENGTH_OFFSET)];
        buffer.getBytes(index + MetricsRing.OPENED_ADDRESS_OFFSET, address);
        final String ip = formatIp(address);
        final String endpoint = (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;

        ClientEntry client = null;
        if (clientTopK > 0)
        {
            client = clients.get(ip);
            if (client == null)
            {
                evictIdleClientsIfFull();
                client = new ClientEntry(ip);
                clients.put(ip, client);
            }
            client.active++;
            client.total++;
        }
        connections.put(id, new ConnectionEntry(endpoint, client));

        activeConnections++;
        totalConnections++;
        workerActive[workerIndex]++;
        workerTotal[workerIndex]++;
        if (logEvents != Config.LogEvents.OFF)
        {
            console.println(PREFIX + "ConnectionOpened " + endpoint + " | active: " + activeConnections +
                ", total: " + totalConnections);
        }
    }

    private void onConnectFailed(final DirectBuffer buffer, final int index)
    {
        final long id = buffer.getLong(index + MetricsRing.ID_OFFSET);
        final long elapsedNs = buffer.getLong(index + MetricsRing.NS_OFFSET);
        final CloseReason reason = CloseReason.fromOrdinal(buffer.getInt(index + MetricsRing.CONNECT_FAILED_REASON_OFFSET));
        connectFailuresByReason[reason.ordinal()]++;
        if (logEvents != Config.LogEvents.OFF)
        {
            final ConnectionEntry entry = connections.get(id);
            console.println(PREFIX + "UpstreamConnectFailed " + (entry == null ? "?" : entry.endpoint) +
                " | reason: " + reason.label() + " | after: " + formatDuration(elapsedNs));
        }
    }

    private void onBytes(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = buffer.getLong(index + MetricsRing.ID_OFFSET);
        final long up = buffer.getLong(index + MetricsRing.BYTES_UP_OFFSET);
        final long down = buffer.getLong(index + MetricsRing.BYTES_DOWN_OFFSET);
        bytesUpstream += up;
        bytesDownstream += down;
        workerUp[workerIndex] += up;
        workerDown[workerIndex] += down;
        final ConnectionEntry entry = connections.get(id);
        if (entry != null)
        {
            entry.up += up;
            entry.down += down;
            final ClientEntry client = entry.client;
            if (client != null)
            {
                client.up += up;
                client.down += down;
            }
        }
    }

    private void onClosed(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = buffer.getLong(index + MetricsRing.ID_OFFSET);
        final long durationNs = buffer.getLong(index + MetricsRing.NS_OFFSET);
        final long up = buffer.getLong(index + MetricsRing.CLOSED_UP_OFFSET);
        final long down = buffer.getLong(index + MetricsRing.CLOSED_DOWN_OFFSET);
        final CloseReason reason = CloseReason.fromOrdinal(buffer.getInt(index + MetricsRing.CLOSED_REASON_OFFSET));
        closesByReason[reason.ordinal()]++;
        connectionDuration.record(durationNs);
        activeConnections--;
        workerActive[workerIndex]--;
        final ConnectionEntry entry = connections.remove(id);
        if (entry != null && entry.client != null)
        {
            entry.client.active--;
        }
        if (logEvents != Config.LogEvents.OFF)
        {
            final String endpoint = entry == null ? "?" : entry.endpoint;
            if (logEvents == Config.LogEvents.ALL && entry != null)
            {
                logBytes(entry);
            }
            console.println(PREFIX + "ConnectionClosed " + endpoint + " | active: " + activeConnections +
                " | reason: " + reason.label() + " | up: " + formatBytes(up) + " | down: " + formatBytes(down) +
                " | duration: " + formatDuration(durationNs));
        }
    }

    private void onRejected(final long count)
    {
        rejectedConnections += count;
        if (logEvents != Config.LogEvents.OFF)
        {
            console.println(PREFIX + "ConnectionRejected x" + count + " | max_connections reached | rejected: " +
                rejectedConnections);
        }
    }

    private void logByteProgress()
    {
        for (final ConnectionEntry entry : connections.values())
        {
            logBytes(entry);
        }
    }

    private void logBytes(final ConnectionEntry entry)
    {
        if (entry.up != entry.loggedUp)
        {
            console.println(PREFIX + entry.endpoint + " \u2191 " + (entry.up - entry.loggedUp) + " | total up: " +
                formatBytes(entry.up));
            entry.loggedUp = entry.up;
        }
        if (entry.down != entry.loggedDown)
        {
            console.println(PREFIX + entry.endpoint + " \u2193 " + (entry.down - entry.loggedDown) +
                " | total down: " + formatBytes(entry.down));
            entry.loggedDown = entry.down;
        }
    }

    private void printSummary(final String label)
    {
        final double intervalSecs = Math.max(1e-9, (nowNs - lastSummaryNs) / 1e9);
        final long upRate = Math.round((bytesUpstream - lastSummaryUp) / intervalSecs);
        final long downRate = Math.round((bytesDownstream - lastSummaryDown) / intervalSecs);
        console.println(PREFIX + label + "active: " + activeConnections + " | total: " + totalConnections +
            " | up: " + formatBytes(bytesUpstream) + " | down: " + formatBytes(bytesDownstream) +
            " | rate up: " + formatBytes(upRate) + "/s, down: " + formatBytes(downRate) + "/s");
        lastSummaryNs = nowNs;
        lastSummaryUp = bytesUpstream;
        lastSummaryDown = bytesDownstream;
    }

    private void evictIdleClientsIfFull()
    {
        if (clients.size() < maxTrackedClients)
        {
            return;
        }
        // Bound the table: fold idle clients into "other", smallest first would need a sort; idle ones carry no
        // live connection, so folding any of them keeps every figure exact.
        final Iterator<ClientEntry> it = clients.values().iterator();
        int toEvict = clients.size() - maxTrackedClients / 2;
        while (it.hasNext() && toEvict > 0)
        {
            final ClientEntry client = it.next();
            if (client.active == 0)
            {
                evictedClients.total += client.total;
                evictedClients.up += client.up;
                evictedClients.down += client.down;
                it.remove();
                toEvict--;
            }
        }
    }

    private MetricsSnapshot buildSnapshot()
    {
        final List<TrafficStats> workerStats = new ArrayList<>(workerActive.length);
        for (int i = 0; i < workerActive.length; i++)
        {
            workerStats.add(new TrafficStats(
                Integer.toString(i), workerActive[i], workerTotal[i], workerUp[i], workerDown[i]));
        }

        final List<ClientEntry> ranked = new ArrayList<>(clients.values());
        ranked.sort((a, b) -> Long.compare(b.up + b.down, a.up + a.down));
        final List<TrafficStats> top = new ArrayList<>(Math.min(clientTopK, ranked.size()));
        long otherActive = evictedClients.active;
        long otherTotal = evictedClients.total;
        long otherUp = evictedClients.up;
        long otherDown = evictedClients.down;
        for (int i = 0; i < ranked.size(); i++)
        {
            final ClientEntry client = ranked.get(i);
            if (i < clientTopK)
            {
                top.add(new TrafficStats(client.ip, client.active, client.total, client.up, client.down));
            }
            else
            {
                otherActive += client.active;
                otherTotal += client.total;
                otherUp += client.up;
                otherDown += client.down;
            }
        }

        long bufferInUse = 0;
        long bufferHighWater = 0;
        long bufferLimit = 0;
        long ringFull = 0;
        for (final MetricsRing ring : rings)
        {
            bufferInUse += ring.bufferBytesInUse();
            bufferHighWater += ring.bufferBytesHighWater();
            bufferLimit += ring.bufferBytesLimit();
            ringFull += ring.ringFullCount();
        }

        return new MetricsSnapshot(
            System.currentTimeMillis(),
            TimeUnit.NANOSECONDS.toMillis(nowNs - startNs),
            activeConnections,
            totalConnections,
            bytesUpstream,
            bytesDownstream,
            rejectedConnections,
            closesByReason,
            connectFailuresByReason,
            ringFull,
            acceptPauses,
            draining,
            workerStats,
            top,
            new TrafficStats("other", otherActive, otherTotal, otherUp, otherDown),
            clientLabelsExported,
            connectionDuration.snapshot(),
            upstreamConnectTime.snapshot(),
            bufferInUse,
            bufferHighWater,
            bufferLimit);
    }

    private static String formatIp(final byte[] address)
    {
        try
        {
            return InetAddress.getByAddress(address).getHostAddress();
        }
        catch (final UnknownHostException ex)
        {
            return "invalid";
        }
    }

    /**
     * Format a byte count the seed's way: {@code 512B}, {@code 1.0KB}, {@code 1.5MB}, {@code 2.0GB}.
     *
     * @param bytes to format.
     * @return the text.
     */
    public static String formatBytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        if (bytes < 1024L * 1024)
        {
            return String.format(Locale.ROOT, "%.1fKB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024)
        {
            return String.format(Locale.ROOT, "%.1fMB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1fGB", bytes / (1024.0 * 1024 * 1024));
    }

    static String formatDuration(final long ns)
    {
        if (ns < 1_000_000)
        {
            return (ns / 1000) + "us";
        }
        if (ns < 1_000_000_000)
        {
            return (ns / 1_000_000) + "ms";
        }
        return String.format(Locale.ROOT, "%.2fs", ns / 1e9);
    }

    private static final class ConnectionEntry
    {
        final String endpoint;
        final ClientEntry client;
        long up;
        long down;
        long loggedUp;
        long loggedDown;

        ConnectionEntry(final String endpoint, final ClientEntry client)
        {
            this.endpoint = endpoint;
            this.client = client;
        }
    }

    private static final class ClientEntry
    {
        final String ip;
        long active;
        long total;
        long up;
        long down;

        ClientEntry(final String ip)
        {
            this.ip = ip;
        }
    }
}
