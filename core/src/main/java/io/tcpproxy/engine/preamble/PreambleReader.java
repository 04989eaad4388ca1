package io.tcpproxy.engine.preamble;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.WorkerClock;
import io.tcpproxy.engine.WorkerMetrics;
import io.tcpproxy.engine.WorkerTimers;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.Flow;
import io.tcpproxy.engine.relay.Relay;
import io.tcpproxy.engine.relay.RelayBuffers;
import io.tcpproxy.engine.upstream.UpstreamConnector;
import io.tcpproxy.protocol.ProxyHeader;
import io.tcpproxy.protocol.ProxyHeaderEncoder;
import io.tcpproxy.protocol.ProxyHeaderParser;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * State {@link Connection#PREAMBLE}: reads the client's first bytes into a relay buffer and feeds them to the
 * connection's {@link PreambleHandler} until it says done (then the upstream connect starts, and what the handler
 * left in the buffer is relayed first) or close. Timed by the handler's deadline and the idle timeout, whichever
 * comes first. With {@code send_proxy_protocol}, the header for the upstream is put in front of those first bytes,
 * so it goes out before (or in the same write as) any client byte, whatever the relay's partial writes.
 */
public final class PreambleReader
{
    private final WorkerClock clock;
    private final EngineContext context;
    private final RelayBuffers pool;
    private final Relay relay;
    private final UpstreamConnector upstream;
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final PreambleHandler.Factory handlers;
    private final SendProxyProtocol send;
    private final ProxyHeader outgoingHeader = new ProxyHeader();

    public PreambleReader(
        final WorkerClock clock,
        final EngineContext context,
        final RelayBuffers pool,
        final Relay relay,
        final UpstreamConnector upstream,
        final WorkerTimers timers,
        final WorkerMetrics metrics)
    {
        this.clock = clock;
        this.context = context;
        this.pool = pool;
        this.relay = relay;
        this.upstream = upstream;
        this.timers = timers;
        this.metrics = metrics;
        this.handlers = context.preambles != null ? context.preambles : PreambleSteps.of(context);
        this.send = context.config.sendProxyProtocol();
    }

    /** A connection was admitted: read its preamble, or connect it upstream at once when it has none. */
    public void begin(final Connection connection)
    {
        final PreambleHandler handler = handlers == null ? null : handlers.newHandler(connection);
        if (handler == null)
        {
            if (send == SendProxyProtocol.OFF || prependHeader(connection, null, null))
            {
                upstream.connect(connection);
            }
            return;
        }
        connection.state = Connection.PREAMBLE;
        connection.preamble = handler;
        final PreambleHandler.Outcome outcome = handler.start(connection, clock.nowNs());
        if (outcome == PreambleHandler.Outcome.NEED_MORE)
        {
            connection.clientKey.interestOps(SelectionKey.OP_READ);
            armTimer(connection);
            return;
        }
        finish(connection, outcome, null);
    }

    /** The client's socket is readable while its connection reads a preamble. */
    public void onReadable(final Connection connection)
    {
        final Flow flow = connection.up;
        if (flow.starved)
        {
            return;
        }
        ByteBuffer buffer = flow.pending;
        if (buffer == null)
        {
            buffer = pool.acquire(false);
            if (buffer == null)
            {
                relay.starve(flow);
                return;
            }
            flow.pending = buffer; // held (and released by close) while the preamble is read
        }
        final int bytesRead;
        try
        {
            bytesRead = connection.client.read(buffer);
        }
        catch (final IOException ex)
        {
            relay.close(connection, CloseReason.CLIENT_RESET);
            return;
        }
        if (bytesRead < 0)
        {
            relay.close(connection, connection.preamble.onEndOfStream(buffer.position()));
            return;
        }
        if (bytesRead == 0)
        {
            return;
        }
        final long nowNs = clock.nowNs();
        connection.lastActivityNs = nowNs;

        buffer.flip();
        final PreambleHandler handler = connection.preamble;
        PreambleHandler.Outcome outcome = handler.consume(connection, buffer, nowNs);
        while (outcome == PreambleHandler.Outcome.GROW ||
            (outcome == PreambleHandler.Outcome.NEED_MORE && buffer.position() == 0 &&
                buffer.limit() == buffer.capacity()))
        {
            final ByteBuffer larger = grow(buffer, handler.maxBytes());
            if (larger == null)
            {
                outcome = handler.onBufferFull(connection);
                break;
            }
            buffer = larger;
            flow.pending = larger;
            outcome = handler.consume(connection, buffer, nowNs);
        }
        finish(connection, outcome, buffer);
    }

    /**
     * The connection's timer expired while it reads its preamble: the handler's deadline, or the idle timeout.
     */
    public void onTimer(final Connection connection, final long nowNs)
    {
        if (connection.preambleTimed && nowNs - connection.preambleDeadlineNs >= 0)
        {
            final ByteBuffer buffer = connection.up.pending;
            if (buffer != null)
            {
                buffer.flip(); // held compacted between reads: make the bytes readable again
            }
            finish(connection, connection.preamble.onTimeout(connection, nowNs), buffer);
            return;
        }
        if (connection.routing.idleTimeoutNs > 0 && nowNs - (connection.lastActivityNs + connection.routing.idleTimeoutNs) >= 0)
        {
            relay.close(connection, CloseReason.IDLE_TIMEOUT);
            return;
        }
        armTimer(connection);
    }

    /** @param buffer holding the bytes read (readable: position to limit), or null when none were read. */
    private void finish(final Connection connection, final PreambleHandler.Outcome outcome, final ByteBuffer buffer)
    {
        final PreambleHandler handler = connection.preamble;
        if (connection.openedUnpublished && !connection.sourcePending)
        {
            metrics.lifecycle(connection); // the real client is known now: the "opened" event may go out
        }
        switch (outcome)
        {
            case NEED_MORE:
                if (buffer != null)
                {
                    buffer.compact();
                }
                armTimer(connection);
                return;
            case DONE:
                onDone(connection, handler, buffer);
                return;
            case CLOSE:
            case GROW:
            default:
                final CloseReason reason = handler.closeReason();
                connection.preamble = null;
                handler.release();
                relay.close(connection, reason == null ? CloseReason.INTERNAL_ERROR : reason);
        }
    }

    private void onDone(final Connection connection, final PreambleHandler handler, final ByteBuffer buffer)
    {
        final Flow flow = connection.up;
        connection.preamble = null;
        connection.preambleTimed = false;
        final int clientBytes = buffer == null ? 0 : buffer.remaining();
        if (handler.routedPool() >= 0)
        {
            metrics.routed(handler.routedPool());
        }
        if (send != SendProxyProtocol.OFF)
        {
            final boolean prepended = prependHeader(connection, buffer, handler.receivedHeader());
            handler.release();
            if (!prepended)
            {
                return;
            }
        }
        else
        {
            handler.release();
            if (buffer != null && !buffer.hasRemaining())
            {
                flow.pending = null;
                pool.release(buffer);
            }
        }
        if (clientBytes > 0)
        {
            flow.totalBytes += clientBytes; // relayed upstream once connected
            flow.unpublishedBytes += clientBytes;
            metrics.dirty(connection);
        }
        connection.clientKey.interestOps(0);
        upstream.connect(connection);
    }

    /**
     * Put the PROXY header for the upstream in front of the client's first bytes, as the flow's pending bytes the
     * relay writes first once connected.
     *
     * @param firstBytes the client's bytes read so far (readable), or null.
     * @param received   the header the client sent, or null: the source of the header sent.
     * @return false when the connection was closed instead.
     */
    private boolean prependHeader(final Connection connection, final ByteBuffer firstBytes, final ProxyHeader received)
    {
        final ProxyHeader header;
        if (received != null && received.command() == ProxyHeader.Command.PROXY &&
            (received.family() == ProxyHeader.Family.TCP4 || received.family() == ProxyHeader.Family.TCP6))
        {
            header = received; // the original client and destination, and its TLVs, passed on down the chain
        }
        else
        {
            header = received != null ? received : outgoingHeader.clear();
            final InetSocketAddress local;
            try
            {
                local = (InetSocketAddress)connection.client.getLocalAddress();
            }
            catch (final IOException ex)
            {
                relay.close(connection, CloseReason.CLIENT_RESET);
                return false;
            }
            header.setAddresses(connection.clientAddress, connection.clientPort, local.getAddress().getAddress(),
                local.getPort());
        }
        final int headerBytes = send == SendProxyProtocol.V1 ?
            ProxyHeaderParser.MAX_V1_BYTES : ProxyHeaderEncoder.v2Bytes(header);
        final int clientBytes = firstBytes == null ? 0 : firstBytes.remaining();
        final ByteBuffer out = bufferOf(headerBytes + clientBytes);
        if (send == SendProxyProtocol.V1)
        {
            ProxyHeaderEncoder.encodeV1(header, out);
        }
        else
        {
            ProxyHeaderEncoder.encodeV2(header, out);
        }
        if (firstBytes != null)
        {
            out.put(firstBytes);
            pool.release(firstBytes);
        }
        out.flip();
        connection.up.pending = out;
        return true;
    }

    /** @return a buffer of at least this many bytes: a pooled one when one is large enough and free. */
    private ByteBuffer bufferOf(final int bytes)
    {
        final ByteBuffer pooled = pool.acquire(bytes > pool.ordinaryBufferBytes());
        if (pooled != null && pooled.capacity() >= bytes)
        {
            return pooled;
        }
        if (pooled != null)
        {
            pool.release(pooled);
        }
        // rare: a preamble larger than the pool's buffers, or the pool used up; heap buffers are never pooled
        return ByteBuffer.allocate(bytes);
    }

    /**
     * @param buffer   full or too small, its bytes readable.
     * @param maxBytes the handler's bound.
     * @return a larger buffer holding the same bytes (readable), the old one released; null when at the bound.
     */
    private ByteBuffer grow(final ByteBuffer buffer, final int maxBytes)
    {
        if (buffer.capacity() >= maxBytes)
        {
            return null;
        }
        ByteBuffer larger = pool.acquire(true);
        if (larger != null && larger.capacity() <= buffer.capacity())
        {
            pool.release(larger);
            larger = null;
        }
        if (larger == null)
        {
            larger = ByteBuffer.allocate(Math.min(maxBytes, Math.max(buffer.capacity() * 2, 4096)));
        }
        larger.put(buffer);
        larger.flip();
        pool.release(buffer);
        return larger;
    }

    /** Arm the connection's timer for its preamble deadline or its idle deadline, whichever is first. */
    private void armTimer(final Connection connection)
    {
        final boolean idleTimed = connection.routing.idleTimeoutNs > 0;
        if (!connection.preambleTimed && !idleTimed)
        {
            timers.cancel(connection);
            return;
        }
        long deadlineNs = connection.preambleTimed ? connection.preambleDeadlineNs : Long.MAX_VALUE;
        if (idleTimed)
        {
            final long idleDeadlineNs = connection.lastActivityNs + connection.routing.idleTimeoutNs;
            if (!connection.preambleTimed || idleDeadlineNs - deadlineNs < 0)
            {
                deadlineNs = idleDeadlineNs;
            }
        }
        timers.schedule(connection, deadlineNs);
    }
}
