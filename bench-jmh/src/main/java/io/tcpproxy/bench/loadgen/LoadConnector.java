package io.tcpproxy.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * Opens a worker's connections before the run: at most {@link #MAX_PENDING_CONNECTS} in flight at a time, each
 * given until the run's timeout; counts what failed and keeps the first reason. Runs on the worker's thread.
 */
final class LoadConnector
{
    private static final int MAX_PENDING_CONNECTS = 128;

    private final InetSocketAddress address;
    private final Consumer<LoadConnection> onConnected;
    private final Consumer<LoadConnection> onFailed;
    private int pendingConnects;

    long connectErrors;
    /** The first connect failure, e.g. {@code Connection refused}, or null. */
    String firstConnectFailure;

    /**
     * @param onConnected called when a connection is open.
     * @param onFailed    called to close a connection that could not connect (after it was counted).
     */
    LoadConnector(
        final InetSocketAddress address,
        final Consumer<LoadConnection> onConnected,
        final Consumer<LoadConnection> onFailed)
    {
        this.address = address;
        this.onConnected = onConnected;
        this.onFailed = onFailed;
    }

    /**
     * @param onReady the worker's handler of ready keys, which hands connecting ones to {@link #finish}.
     */
    void connectAll(
        final Selector selector,
        final LoadConnection[] connections,
        final long timeoutNs,
        final Consumer<SelectionKey> onReady)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        int next = 0;
        while ((next < connections.length || pendingConnects > 0) && System.nanoTime() < deadlineNs)
        {
            while (next < connections.length && pendingConnects < MAX_PENDING_CONNECTS)
            {
                start(selector, connections[next++]);
            }
            selector.select(onReady, 10);
        }
        for (final LoadConnection connection : connections)
        {
            if (connection.connecting)
            {
                fail(connection, "connect timed out");
            }
        }
        connectErrors += connections.length - next;
    }

    void finish(final LoadConnection connection)
    {
        connection.connecting = false;
        pendingConnects--;
        try
        {
            if (connection.channel.finishConnect())
            {
                connection.key.interestOps(SelectionKey.OP_READ);
                onConnected.accept(connection);
            }
            else
            {
                connection.connecting = true;
                pendingConnects++;
            }
        }
        catch (final IOException ex)
        {
            fail(connection, reason(ex));
        }
    }

    private void start(final Selector selector, final LoadConnection connection)
    {
        try
        {
            final SocketChannel channel = SocketChannel.open();
            connection.channel = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            if (channel.connect(address))
            {
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                onConnected.accept(connection);
            }
            else
            {
                connection.key = channel.register(selector, SelectionKey.OP_CONNECT, connection);
                connection.connecting = true;
                pendingConnects++;
            }
        }
        catch (final IOException ex)
        {
            fail(connection, reason(ex));
        }
    }

    private void fail(final LoadConnection connection, final String reason)
    {
        if (firstConnectFailure == null)
        {
            firstConnectFailure = reason;
        }
        connectErrors++;
        onFailed.accept(connection);
    }

    private static String reason(final IOException ex)
    {
        return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    }
}
