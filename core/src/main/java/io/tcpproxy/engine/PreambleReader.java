package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * State {@link Connection#PREAMBLE}: reads the client's first bytes into a relay buffer and feeds them to the
 * connection's {@link PreambleHandler} until it says done (then the upstream connect starts, and what the handler
 * left in the buffer is relayed first) or close. Timed by the idle timeout.
 */
final class PreambleReader
{
    private final WorkerClock clock;
    private final RelayBuffers pool;
    private final Relay relay;
    private final UpstreamConnector upstream;
    private final WorkerMetrics metrics;

    PreambleReader(
        final WorkerClock clock,
        final RelayBuffers pool,
        final Relay relay,
        final UpstreamConnector upstream,
        final WorkerMetrics metrics)
    {
        this.clock = clock;
        this.pool = pool;
        this.relay = relay;
        this.upstream = upstream;
        this.metrics = metrics;
    }

    /** The client's socket is readable while its connection reads a preamble. */
    void onReadable(final Connection connection)
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
            relay.close(connection, CloseReason.CLIENT_FIN);
            return;
        }
        if (bytesRead == 0)
        {
            return;
        }
        connection.lastActivityNs = clock.nowNs();

        buffer.flip();
        final PreambleHandler.Outcome outcome = connection.preamble.consume(buffer);
        switch (outcome)
        {
            case NEED_MORE:
                if (buffer.position() == 0 && buffer.limit() == buffer.capacity())
                {
                    metrics.internalError("connection " + connection.id + ": preamble handler wants more than a " +
                        "buffer", new IllegalStateException(connection.preamble.getClass().getName()));
                    relay.close(connection, CloseReason.INTERNAL_ERROR);
                    return;
                }
                buffer.compact();
                return;
            case DONE:
                onDone(connection, buffer);
                return;
            case CLOSE:
            default:
                relay.close(connection, connection.preamble.closeReason());
        }
    }

    private void onDone(final Connection connection, final ByteBuffer buffer)
    {
        final Flow flow = connection.up;
        connection.preamble = null;
        if (buffer.hasRemaining())
        {
            flow.totalBytes += buffer.remaining(); // relayed upstream once connected
            flow.unpublishedBytes += buffer.remaining();
            metrics.dirty(connection);
        }
        else
        {
            flow.pending = null;
            pool.release(buffer);
        }
        connection.clientKey.interestOps(0);
        upstream.connect(connection);
    }
}
