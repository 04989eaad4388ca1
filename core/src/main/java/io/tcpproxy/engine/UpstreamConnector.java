package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;

/**
 * The upstream part of a worker: state {@link Connection#CONNECTING}. Asks the {@link UpstreamSelector} where to
 * connect, connects without blocking, times the attempt out, names a failure, and hands a connected pair to the
 * relay.
 */
final class UpstreamConnector
{
    private final WorkerClock clock;
    private final EngineContext context;
    private final Selector selector;
    private final UpstreamSelector upstreams;
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final Relay relay;

    UpstreamConnector(
        final WorkerClock clock,
        final EngineContext context,
        final Selector selector,
        final UpstreamSelector upstreams,
        final WorkerTimers timers,
        final WorkerMetrics metrics,
        final Relay relay)
    {
        this.clock = clock;
        this.context = context;
        this.selector = selector;
        this.upstreams = upstreams;
        this.timers = timers;
        this.metrics = metrics;
        this.relay = relay;
    }

    /** Start connecting the connection's upstream. */
    void connect(final Connection connection)
    {
        final long nowNs = clock.nowNs();
        connection.state = Connection.CONNECTING;
        connection.connectStartNs = nowNs;
        final InetSocketAddress target = upstreams.select(connection);
        connection.upstreamTarget = target;
        if (target.isUnresolved())
        {
            fail(connection, CloseReason.CONNECT_UNRESOLVED);
            return;
        }

        SocketChannel upstream = null;
        try
        {
            upstream = SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final SelectionKey upstreamKey = upstream.register(selector, SelectionKey.OP_CONNECT, connection);
            connection.attachUpstream(upstream, upstreamKey);
            if (upstream.connect(target))
            {
                onConnected(connection);
            }
            else
            {
                timers.schedule(connection, nowNs + context.connectTimeoutNs);
            }
        }
        catch (final IOException | UnresolvedAddressException ex)
        {
            if (connection.upstream == null)
            {
                Sockets.closeQuietly(upstream);
            }
            fail(connection, failureReason(ex));
        }
    }

    /** The upstream key reported OP_CONNECT. */
    void onConnectable(final Connection connection)
    {
        try
        {
            if (!connection.upstream.finishConnect())
            {
                return;
            }
        }
        catch (final IOException ex)
        {
            fail(connection, failureReason(ex));
            return;
        }
        onConnected(connection);
    }

    /** The connection's timer expired while connecting. */
    void onConnectTimeout(final Connection connection)
    {
        fail(connection, CloseReason.CONNECT_TIMEOUT);
    }

    private void onConnected(final Connection connection)
    {
        timers.cancel(connection);
        connection.connectDurationNs = clock.nowNs() - connection.connectStartNs;
        connection.connectedUnpublished = true;
        metrics.lifecycle(connection);
        relay.start(connection);
    }

    private void fail(final Connection connection, final CloseReason reason)
    {
        connection.connectDurationNs = clock.nowNs() - connection.connectStartNs;
        // Only an upstream's failure counts as one: a local limit (EMFILE: local_fd_limit) is a close, not an
        // upstream connect failure (the collector would count a connect failure under such a reason as a bug).
        connection.connectFailedUnpublished = reason.isConnectFailure();
        relay.close(connection, reason);
    }

    /**
     * @param ex why a connect failed.
     * @return its close reason; running out of descriptors here is the proxy's own limit, not the upstream's fault.
     */
    static CloseReason failureReason(final Exception ex)
    {
        if (isLocalDescriptorLimit(ex))
        {
            return CloseReason.LOCAL_FD_LIMIT;
        }
        if (ex instanceof ConnectException && !(ex instanceof NoRouteToHostException))
        {
            final String message = ex.getMessage();
            return message != null && message.contains("timed out") ?
                CloseReason.CONNECT_TIMEOUT : CloseReason.CONNECT_REFUSED;
        }
        if (ex instanceof UnresolvedAddressException)
        {
            return CloseReason.CONNECT_UNRESOLVED;
        }
        return CloseReason.CONNECT_ERROR;
    }

    /** @return whether {@code ex} is EMFILE or ENFILE (the JDK reports no errno, only its text). */
    static boolean isLocalDescriptorLimit(final Exception ex)
    {
        final String message = ex.getMessage();
        return message != null && message.contains("Too many open files");
    }
}
