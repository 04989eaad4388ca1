package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.WorkerClock;
import io.tcpproxy.engine.WorkerMetrics;
import io.tcpproxy.engine.WorkerTimers;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.Relay;
import io.tcpproxy.upstream.UpstreamServer;
import org.agrona.CloseHelper;

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
 * connect, connects without blocking, times each try out, retries a failed try on the next server the selector
 * offers, names a failure, and hands a connected pair to the relay.
 */
public final class UpstreamConnector
{
    private final WorkerClock clock;
    private final EngineContext context;
    private final Selector selector;
    private final UpstreamSelector upstreams;
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final Relay relay;

    public UpstreamConnector(
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
    public void connect(final Connection connection)
    {
        connection.state = Connection.CONNECTING;
        connection.connectStartNs = clock.nowNs();
        tryNext(connection);
        context.descriptors.releaseFor(connection); // its upstream socket is open (counted by the kernel) or failed
    }

    /**
     * One try: the next server the selector offers. A failed try goes on to the next server until the selector has
     * none left; the client sees nothing of it but a later first byte.
     */
    private void tryNext(final Connection connection)
    {
        final long nowNs = clock.nowNs();
        final InetSocketAddress target = upstreams.next(connection, nowNs);
        if (target == null)
        {
            fail(connection, upstreams.exhaustedReason(connection));
            return;
        }
        connection.connectTries++;
        connection.upstreamTarget = target;
        if (target.isUnresolved())
        {
            onTryFailed(connection, CloseReason.CONNECT_UNRESOLVED);
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
                timers.schedule(connection, nowNs + connection.routing.connectTimeoutNs);
            }
        }
        catch (final IOException | UnresolvedAddressException ex)
        {
            if (connection.upstream == null)
            {
                CloseHelper.quietClose(upstream);
            }
            onTryFailed(connection, failureReason(ex));
        }
    }

    /** The upstream key reported OP_CONNECT. */
    public void onConnectable(final Connection connection)
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
            onTryFailed(connection, failureReason(ex));
            return;
        }
        onConnected(connection);
    }

    /** The connection's timer expired while connecting. */
    public void onConnectTimeout(final Connection connection)
    {
        onTryFailed(connection, CloseReason.CONNECT_TIMEOUT);
    }

    private void onConnected(final Connection connection)
    {
        timers.cancel(connection);
        connection.connectDurationNs = clock.nowNs() - connection.connectStartNs;
        connection.connectedUnpublished = true;
        connection.lastConnectFailure = null;
        upstreams.onConnected(connection);
        metrics.lifecycle(connection);
        relay.start(connection);
    }

    private void onTryFailed(final Connection connection, final CloseReason reason)
    {
        timers.cancel(connection);
        if (reason == CloseReason.LOCAL_FD_LIMIT)
        {
            fail(connection, reason); // the proxy's own limit: no server's fault, and another server would fail too
            return;
        }
        connection.lastConnectFailure = reason;
        upstreams.onConnectFailure(connection, reason);
        if (connection.upstream != null)
        {
            CloseHelper.quietClose(connection.upstream); // its key is cancelled with it
            connection.detachUpstream();
        }
        tryNext(connection);
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
     * Release the connection's server slot: it closed (in any state). Called by the relay once per connection, on
     * close; the server stays set so that the bytes still unpublished are counted to it.
     */
    public static void release(final Connection connection)
    {
        final UpstreamServer server = connection.server;
        if (server != null)
        {
            connection.upstreamPool.onConnectionClosed(server);
        }
        connection.attempt = null;
    }

    /**
     * @param ex why a connect failed.
     * @return its close reason; running out of descriptors here is the proxy's own limit, not the upstream's fault.
     */
    public static CloseReason failureReason(final Exception ex)
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
