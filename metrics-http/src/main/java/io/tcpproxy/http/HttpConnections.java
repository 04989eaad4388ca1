package io.tcpproxy.http;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The responder's open connections: a dense array of pooled {@link HttpConnection}s, their deadlines and interest
 * ops, shedding at the cap ({@link ShedPolicy}) and closing. Owned by the responder thread; {@link #count()} is
 * also read by others.
 */
final class HttpConnections
{
    static final int INITIAL_RESPONSE_BYTES = 16 * 1024;
    static final long NO_DEADLINE_NS = TimeUnit.HOURS.toNanos(1);

    private final Selector selector;
    private final HttpLimits limits;
    private final ResponderCounters counters;
    private final EventStream events;
    private final HttpConnection[] connections;
    private final HttpConnection[] freeConnections;

    private volatile int connectionCount;
    private int freeCount;
    private long nextDeadlineNs;

    HttpConnections(
        final Selector selector, final HttpLimits limits, final ResponderCounters counters, final EventStream events)
    {
        this.selector = selector;
        this.limits = limits;
        this.counters = counters;
        this.events = events;
        connections = new HttpConnection[limits.maxConnections()];
        freeConnections = new HttpConnection[limits.maxConnections()];
        nextDeadlineNs = System.nanoTime() + NO_DEADLINE_NS;
    }

    int count()
    {
        return connectionCount;
    }

    boolean isFull()
    {
        return connectionCount >= connections.length;
    }

    /**
     * The earliest deadline of any connection, or about an hour from the last expiry when none is sooner.
     */
    long nextDeadlineNs()
    {
        return nextDeadlineNs;
    }

    /**
     * @return the registered connection, or null when the channel could not be registered (it is closed).
     */
    HttpConnection register(final SocketChannel channel)
    {
        final HttpConnection connection = freeCount > 0 ?
            freeConnections[--freeCount] :
            new HttpConnection(limits.maxHeadBytes(), INITIAL_RESPONSE_BYTES);
        connection.reset();
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors++;
            CloseHelper.quietClose(channel);
            freeConnections[freeCount++] = connection;
            return null;
        }
        final long nowNs = System.nanoTime();
        connection.channel = channel;
        connection.interestOps = SelectionKey.OP_READ;
        connection.index = connectionCount;
        connection.progressNs = nowNs;
        connections[connectionCount] = connection;
        connectionCount = connectionCount + 1;
        counters.connections = connectionCount;
        arm(connection, nowNs + limits.headTimeoutNs());
        return connection;
    }

    /**
     * At the cap, close the connection {@link ShedPolicy} picks.
     *
     * @return whether a connection was closed.
     */
    boolean shedLeastRecentlyActive()
    {
        final HttpConnection victim = ShedPolicy.victim(connections, connectionCount);
        if (null == victim)
        {
            return false;
        }
        counters.connectionsShed++;
        close(victim);
        return true;
    }

    void expireDeadlines(final long nowNs)
    {
        long next = nowNs + NO_DEADLINE_NS;
        for (int i = connectionCount - 1; i >= 0; i--)
        {
            final HttpConnection connection = connections[i];
            if (nowNs - connection.deadlineNs >= 0)
            {
                counters.timedOutConnections++;
                close(connection);
            }
            else if (connection.deadlineNs - next < 0)
            {
                next = connection.deadlineNs;
            }
        }
        nextDeadlineNs = next;
    }

    void close(final HttpConnection connection)
    {
        if (null == connection.channel)
        {
            return;
        }
        if (null != connection.key)
        {
            connection.key.cancel();
        }
        CloseHelper.quietClose(connection.channel);
        events.remove(connection);

        final int index = connection.index;
        final int count = connectionCount - 1;
        final HttpConnection last = connections[count];
        connections[index] = last;
        last.index = index;
        connections[count] = null;
        connectionCount = count;
        counters.connections = count;

        connection.reset();
        freeConnections[freeCount++] = connection;
    }

    void closeAll()
    {
        for (int i = connectionCount - 1; i >= 0; i--)
        {
            close(connections[i]);
        }
    }

    void interest(final HttpConnection connection, final int ops)
    {
        if (connection.interestOps != ops)
        {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    void arm(final HttpConnection connection, final long deadlineNs)
    {
        connection.deadlineNs = deadlineNs;
        if (deadlineNs - nextDeadlineNs < 0)
        {
            nextDeadlineNs = deadlineNs;
        }
    }
}
