package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What each message of a worker's ring does on the collector's thread: counts it in the cells, tracks the open
 * connection and its client, and writes its console and access log lines. The {@link MetricsCollector} reads the
 * rings, sets {@link #nowNs} once per pass, and publishes snapshots.
 */
final class ConnectionEvents
{
    /** The connections open now, by id, with what the console and access log need of them. */
    final Long2ObjectHashMap<ConnectionEntry> connections = new Long2ObjectHashMap<>();
    /** The collector's clock reading for this pass over the rings. */
    long nowNs;
    /** Access log lines were written since the last flush. */
    boolean accessLogDirty;

    private final ProxyCells cells;
    private final RouteFamilies.Cells routeCells;
    private final ClientTable clients;
    private final ConsoleLines console;
    private final AccessLog accessLog;
    private final LogEvents logEvents;
    private final LongSupplier epochMsClock;

    ConnectionEvents(
        final ProxyCells cells,
        final RouteFamilies.Cells routeCells,
        final ClientTable clients,
        final ConsoleLines console,
        final AccessLog accessLog,
        final LogEvents logEvents,
        final LongSupplier epochMsClock)
    {
        this.cells = cells;
        this.routeCells = routeCells;
        this.clients = clients;
        this.console = console;
        this.accessLog = accessLog;
        this.logEvents = logEvents;
        this.epochMsClock = epochMsClock;
    }

    void onMessage(final int workerIndex, final int type, final DirectBuffer buffer, final int index)
    {
        switch (type)
        {
            case RingCodec.OPENED:
                onOpened(workerIndex, buffer, index);
                break;
            case RingCodec.CONNECTED:
                onConnected(buffer, index);
                break;
            case RingCodec.CONNECT_FAILED:
                onConnectFailed(buffer, index);
                break;
            case RingCodec.BYTES:
                onBytes(workerIndex, buffer, index);
                break;
            case RingCodec.CLOSED:
                onClosed(workerIndex, buffer, index);
                break;
            case RingCodec.REJECTED:
                onRejected(RingCodec.rejectedReason(buffer, index), RingCodec.count(buffer, index));
                break;
            case RingCodec.ACCEPT_PAUSED:
                onAcceptPaused(RingCodec.count(buffer, index));
                break;
            case RingCodec.INTERNAL_ERRORS:
                cells.internalErrors.add(RingCodec.count(buffer, index));
                break;
            case RingCodec.ROUTED:
                routeCells.add(RingCodec.routedPool(buffer, index), RingCodec.count(buffer, index));
                break;
            default:
                cells.internalErrors.increment(); // a message type this collector does not know: a bug, made visible
                break;
        }
    }

    void onAcceptPaused(final long count)
    {
        cells.acceptPauses.add(count);
        console.acceptPaused(cells.acceptPauses.value(), nowNs);
    }

    private void onOpened(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = RingCodec.connectionId(buffer, index);
        final int port = RingCodec.openedPort(buffer, index);
        final String ip = formatIp(RingCodec.openedAddress(buffer, index));
        final String endpoint = endpoint(ip, port);

        final ClientTable.Client client = clients.onOpened(ip, nowNs);
        connections.put(id, new ConnectionEntry(endpoint, client));

        cells.activeConnections.increment();
        cells.totalConnections.increment();
        cells.workerActive[workerIndex].increment();
        cells.workerTotal[workerIndex].increment();
        if (logEvents != LogEvents.OFF)
        {
            console.opened(endpoint, cells.activeConnections.value(), cells.totalConnections.value());
        }
    }

    private void onConnected(final DirectBuffer buffer, final int index)
    {
        final long connectNs = RingCodec.connectedNs(buffer, index);
        cells.upstreamConnectTime.record(connectNs);
        if (null != accessLog)
        {
            final ConnectionEntry entry = connections.get(RingCodec.connectionId(buffer, index));
            if (null != entry)
            {
                entry.connectNs = connectNs;
                final byte[] address = RingCodec.connectedAddress(buffer, index);
                entry.upstream = null == address ? "-" :
                    endpoint(formatIp(address), RingCodec.connectedPort(buffer, index));
            }
        }
    }

    private void onConnectFailed(final DirectBuffer buffer, final int index)
    {
        final long id = RingCodec.connectionId(buffer, index);
        final long elapsedNs = RingCodec.connectFailedNs(buffer, index);
        final CloseReason reason = RingCodec.connectFailedReason(buffer, index);
        final MetricCell failures = cells.connectFailuresByReason[reason.ordinal()];
        if (null == failures)
        {
            cells.internalErrors.increment(); // a connect failure under a reason that is not one: a bug, made visible
        }
        else
        {
            failures.increment();
        }
        if (logEvents != LogEvents.OFF)
        {
            final ConnectionEntry entry = connections.get(id);
            console.connectFailed(entry == null ? "?" : entry.endpoint, reason, elapsedNs);
        }
    }

    private void onBytes(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = RingCodec.connectionId(buffer, index);
        final long up = RingCodec.bytesUp(buffer, index);
        final long down = RingCodec.bytesDown(buffer, index);
        cells.bytesUpstream.add(up);
        cells.bytesDownstream.add(down);
        cells.workerUp[workerIndex].add(up);
        cells.workerDown[workerIndex].add(down);
        final ConnectionEntry entry = connections.get(id);
        if (entry != null)
        {
            entry.up += up;
            entry.down += down;
            if (entry.client != null)
            {
                clients.onBytes(entry.client, up, down, nowNs);
            }
        }
    }

    private void onClosed(final int workerIndex, final DirectBuffer buffer, final int index)
    {
        final long id = RingCodec.connectionId(buffer, index);
        final long durationNs = RingCodec.closedDurationNs(buffer, index);
        final long up = RingCodec.closedUp(buffer, index);
        final long down = RingCodec.closedDown(buffer, index);
        final CloseReason reason = RingCodec.closedReason(buffer, index);
        cells.closesByReason[reason.ordinal()].increment();
        final RejectReason rejection = RejectReason.of(reason);
        if (null != rejection)
        {
            countRejected(rejection, 1); // refused after its PROXY header: its own close line says so
        }
        cells.connectionDuration.record(durationNs);
        cells.activeConnections.add(-1);
        cells.workerActive[workerIndex].add(-1);
        final ConnectionEntry entry = connections.remove(id);
        if (entry != null && entry.client != null)
        {
            clients.onClosed(entry.client, nowNs);
        }
        if (null != accessLog)
        {
            final long acceptedAtMs = epochMsClock.getAsLong() - TimeUnit.NANOSECONDS.toMillis(durationNs);
            final boolean written = accessLog.write(new AccessRecord(acceptedAtMs,
                entry == null ? "?" : entry.endpoint, entry == null ? null : entry.upstream, workerIndex,
                entry == null ? -1 : entry.connectNs, durationNs, up, down, reason,
                RingCodec.closedEndedBy(buffer, index), cells.activeConnections.value()));
            if (!written)
            {
                cells.internalErrors.increment();
            }
            accessLogDirty = true;
        }
        if (logEvents != LogEvents.OFF)
        {
            final String endpoint = entry == null ? "?" : entry.endpoint;
            if (logEvents == LogEvents.ALL && entry != null)
            {
                console.bytes(entry);
            }
            console.closed(endpoint, cells.activeConnections.value(), reason, up, down, durationNs);
        }
    }

    private void onRejected(final RejectReason reason, final long count)
    {
        countRejected(reason, count);
        if (logEvents != LogEvents.OFF)
        {
            console.rejected(reason, count, cells.rejectedConnections.value(), nowNs);
        }
    }

    private void countRejected(final RejectReason reason, final long count)
    {
        cells.rejectedByReason[reason.ordinal()].add(count);
        cells.rejectedConnections.add(count);
    }

    private static String endpoint(final String ip, final int port)
    {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
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
}
