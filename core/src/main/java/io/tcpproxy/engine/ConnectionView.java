package io.tcpproxy.engine;

import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Copies a page of a worker's open connections for the admin API, on the worker's thread. Memory is bounded by the
 * page size whatever the number of connections: a max-heap keeps the {@code limit} lowest ids above the cursor.
 */
final class ConnectionView
{
    private static final Comparator<Connection> HIGHEST_ID_FIRST = (a, b) -> Long.compare(b.id, a.id);

    private ConnectionView()
    {
    }

    /**
     * @param worker  on its own thread.
     * @param afterId only ids above this.
     * @param limit   at most this many (at least 1).
     * @return the page, lowest id first.
     */
    static ConnectionInfo[] page(final Worker worker, final long afterId, final int limit)
    {
        final ConnectionTable table = worker.table();
        final PriorityQueue<Connection> lowest = new PriorityQueue<>(Math.min(limit, 64) + 1, HIGHEST_ID_FIRST);
        for (int i = 0; i < table.size(); i++)
        {
            final Connection connection = table.at(i);
            if (connection.id <= afterId || connection.state == Connection.CLOSED)
            {
                continue;
            }
            if (lowest.size() < limit)
            {
                lowest.add(connection);
            }
            else if (connection.id < lowest.peek().id)
            {
                lowest.poll();
                lowest.add(connection);
            }
        }
        final long nowNs = worker.nowNs();
        final ConnectionInfo[] page = new ConnectionInfo[lowest.size()];
        for (int i = page.length - 1; i >= 0; i--)
        {
            page[i] = info(lowest.poll(), worker.index(), nowNs);
        }
        return page;
    }

    /**
     * @param answers  every worker's page ({@link #page} with {@code pageSize + 1}); one not done timed out.
     * @param pageSize at most this many.
     * @return the lowest ids of all, incomplete if a worker did not answer.
     */
    static ConnectionPage merge(final List<WorkerCommand.ListConnections> answers, final int pageSize)
    {
        final List<ConnectionInfo> merged = new ArrayList<>();
        boolean complete = true;
        for (final WorkerCommand.ListConnections command : answers)
        {
            if (command.isDone())
            {
                merged.addAll(Arrays.asList(command.answer()));
            }
            else
            {
                complete = false;
            }
        }
        merged.sort(Comparator.comparingLong(ConnectionInfo::id));
        final boolean more = merged.size() > pageSize;
        final List<ConnectionInfo> page = List.copyOf(more ? merged.subList(0, pageSize) : merged);
        return new ConnectionPage(page, more ? page.get(page.size() - 1).id() : -1, complete);
    }

    private static ConnectionInfo info(final Connection connection, final int worker, final long nowNs)
    {
        return new ConnectionInfo(
            connection.id,
            hostPort(connection.sourceAddress, connection.sourcePort),
            upstream(connection),
            worker,
            Math.max(0, nowNs - connection.openedNs),
            connection.up.totalBytes,
            connection.down.totalBytes,
            state(connection));
    }

    private static String state(final Connection connection)
    {
        switch (connection.state)
        {
            case Connection.PREAMBLE:
                return "preamble";
            case Connection.CONNECTING:
                return "connecting";
            default:
                return connection.up.sourceEof || connection.down.sourceEof ? "half-closed" : "relaying";
        }
    }

    private static String upstream(final Connection connection)
    {
        if (connection.upstream == null)
        {
            return null;
        }
        try
        {
            final SocketAddress remote = connection.upstream.getRemoteAddress();
            if (remote instanceof InetSocketAddress)
            {
                final InetSocketAddress address = (InetSocketAddress)remote;
                return hostPort(address.getAddress().getAddress(), address.getPort());
            }
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    static String hostPort(final byte[] address, final int port)
    {
        try
        {
            final String host = InetAddress.getByAddress(address).getHostAddress();
            return (address.length == 16 ? "[" + host + "]" : host) + ":" + port;
        }
        catch (final UnknownHostException ex)
        {
            return Arrays.toString(address) + ":" + port;
        }
    }
}
