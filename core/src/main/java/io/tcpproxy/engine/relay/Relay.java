package io.tcpproxy.engine.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.Sockets;
import io.tcpproxy.engine.WorkerClock;
import io.tcpproxy.engine.WorkerMetrics;
import io.tcpproxy.engine.WorkerTimers;
import io.tcpproxy.engine.admission.Admission;
import io.tcpproxy.engine.upstream.UpstreamConnector;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.Arrays;

/**
 * The relay part of a worker: moves bytes both ways for connections in state {@link Connection#OPEN} through pooled
 * direct buffers, forwards half-closes, pauses reading when the pool runs dry (back-pressure) and resumes it, defers
 * one-read messages to the end of the round, and closes connections. Nothing here locks or allocates per message:
 * one read and one write system call per message, interest changed only when it differs.
 */
public final class Relay
{
    /** A bound on reads per connection per event, so one bulk stream cannot starve the others. */
    private static final int MAX_READS_PER_EVENT = 4;
    /** Deferred writes hold a buffer each until the end of the round; below this many spare ones, write at once. */
    private static final int DEFER_RESERVE_BUFFERS = 64;

    private final WorkerClock clock;
    private final EngineContext context;
    private final RelayBuffers pool;
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final ConnectionTable table;
    private final StarvedFlows starvedFlows = new StarvedFlows();
    private Flow[] deferredWrites = new Flow[64];
    private int deferredCount;

    public Relay(
        final WorkerClock clock,
        final EngineContext context,
        final RelayBuffers pool,
        final WorkerTimers timers,
        final WorkerMetrics metrics,
        final ConnectionTable table)
    {
        this.clock = clock;
        this.context = context;
        this.pool = pool;
        this.timers = timers;
        this.metrics = metrics;
        this.table = table;
    }

    /** The upstream is connected: start relaying (bytes a preamble left over go upstream first). */
    public void start(final Connection connection)
    {
        final long nowNs = clock.nowNs();
        connection.state = Connection.OPEN;
        connection.lastActivityNs = nowNs;
        if (connection.routing.idleTimeoutNs > 0)
        {
            timers.schedule(connection, nowNs + connection.routing.idleTimeoutNs);
        }
        else
        {
            timers.cancel(connection);
        }
        Interest.update(connection);
    }

    /** Dispatch a ready key of an open connection. */
    public void onReady(final Connection connection, final SelectionKey key, final int readyOps)
    {
        final boolean upstreamSide = key == connection.upstreamKey;
        if ((readyOps & SelectionKey.OP_WRITE) != 0)
        {
            onWritable(upstreamSide ? connection.up : connection.down);
        }
        if ((readyOps & SelectionKey.OP_READ) != 0)
        {
            onReadable(upstreamSide ? connection.down : connection.up);
        }
    }

    /** The connection's idle timer expired at {@code nowNs}: close it, or re-arm from its last activity. */
    public void onIdleTimer(final Connection connection, final long nowNs)
    {
        final long idleDeadlineNs = connection.lastActivityNs + connection.routing.idleTimeoutNs;
        if (nowNs - idleDeadlineNs >= 0)
        {
            close(connection, CloseReason.IDLE_TIMEOUT);
        }
        else
        {
            timers.schedule(connection, idleDeadlineNs);
        }
    }

    private void onReadable(final Flow flow)
    {
        if (!flow.wantsRead() || flow.connection.state != Connection.OPEN)
        {
            return; // interest changed earlier in this select round
        }
        final ByteBuffer buffer = pool.acquire(flow.bulk);
        if (buffer == null)
        {
            starve(flow);
            return;
        }

        final Connection connection = flow.connection;
        for (int reads = 1; ; reads++)
        {
            final int bytesRead;
            try
            {
                bytesRead = flow.source.read(buffer);
            }
            catch (final IOException ex)
            {
                pool.release(buffer);
                close(connection, flow.sourceError);
                return;
            }

            if (bytesRead <= 0)
            {
                pool.release(buffer);
                if (bytesRead < 0)
                {
                    onEndOfStream(flow);
                }
                return;
            }

            connection.lastActivityNs = clock.nowNs();
            flow.bulk = bytesRead >= pool.ordinaryBufferBytes();
            flow.totalBytes += bytesRead;
            flow.unpublishedBytes += bytesRead;
            metrics.dirty(connection);

            buffer.flip();
            if (reads == 1 && buffer.limit() < buffer.capacity() && pool.ordinaryAvailable() >= DEFER_RESERVE_BUFFERS)
            {
                // A message that fit in one read is written after every event of this round has been read: the
                // peers those writes wake then run while we write, instead of preempting us between reads (one
                // loopback write wakes its reader on our core). Measured against writing at once: +27 % round
                // trips with 500 connections, within the noise with 10 to 100 (README, Benchmarks).
                flow.pending = buffer;
                deferWrite(flow);
                return;
            }
            try
            {
                flow.sink.write(buffer);
            }
            catch (final IOException ex)
            {
                pool.release(buffer);
                close(connection, flow.sinkError);
                return;
            }

            if (buffer.hasRemaining())
            {
                flow.pending = buffer;
                Interest.update(connection);
                return;
            }
            if (buffer.limit() < buffer.capacity() || reads >= MAX_READS_PER_EVENT)
            {
                pool.release(buffer);
                return;
            }
            buffer.clear();
        }
    }

    /** No buffer for this flow's source: stop reading it until buffers come back. */
    public void starve(final Flow flow)
    {
        starvedFlows.add(flow);
    }

    private void deferWrite(final Flow flow)
    {
        if (deferredCount == deferredWrites.length)
        {
            deferredWrites = Arrays.copyOf(deferredWrites, deferredCount * 2);
        }
        deferredWrites[deferredCount++] = flow;
    }

    /** Write what this round's reads deferred. */
    public void flushDeferredWrites()
    {
        final int count = deferredCount;
        deferredCount = 0;
        for (int i = 0; i < count; i++)
        {
            final Flow flow = deferredWrites[i];
            deferredWrites[i] = null;
            final ByteBuffer pending = flow.pending;
            if (pending == null || flow.connection.state != Connection.OPEN)
            {
                continue; // closed meanwhile: close() released the buffer
            }
            try
            {
                flow.sink.write(pending);
                if (!pending.hasRemaining())
                {
                    flow.pending = null;
                    pool.release(pending);
                }
                // no system call unless this round changed the connection's interest (or the write was partial)
                Interest.update(flow.connection);
            }
            catch (final IOException ex)
            {
                close(flow.connection, flow.sinkError);
            }
            catch (final RuntimeException ex)
            {
                // as for a ready key: a fault closes its own connection, never the worker
                metrics.internalError("closing connection " + flow.connection.id, ex);
                close(flow.connection, CloseReason.INTERNAL_ERROR);
            }
        }
    }

    private void onWritable(final Flow flow)
    {
        final ByteBuffer pending = flow.pending;
        if (pending == null)
        {
            Interest.update(flow.connection);
            return;
        }
        final int bytesWritten;
        try
        {
            bytesWritten = flow.sink.write(pending);
        }
        catch (final IOException ex)
        {
            close(flow.connection, flow.sinkError);
            return;
        }
        if (bytesWritten > 0)
        {
            flow.connection.lastActivityNs = clock.nowNs(); // a slow reader draining a buffer is not idle
        }
        if (pending.hasRemaining())
        {
            return;
        }

        // EOF is only read while nothing is pending, so a drained flow never owes a FIN here
        flow.pending = null;
        pool.release(pending);
        Interest.update(flow.connection);
    }

    private void onEndOfStream(final Flow flow)
    {
        final Connection connection = flow.connection;
        flow.sourceEof = true;
        if (connection.finReason == null)
        {
            connection.finReason = flow.finReason;
        }
        if (finishFlow(flow))
        {
            Interest.update(connection);
        }
    }

    /**
     * Forward the source's FIN to the sink; close the connection when both directions are done.
     *
     * @return false if the connection closed.
     */
    private boolean finishFlow(final Flow flow)
    {
        final Connection connection = flow.connection;
        if (!flow.sinkShut)
        {
            flow.sinkShut = true;
            try
            {
                flow.sink.shutdownOutput();
            }
            catch (final IOException ex)
            {
                close(connection, flow.sinkError);
                return false;
            }
        }
        if (flow.reverse.isDone())
        {
            close(connection, connection.finReason);
            return false;
        }
        return true;
    }

    /** @return flows resumed now that buffers are back. */
    public int resumeStarvedFlows()
    {
        return starvedFlows.resume(pool.ordinaryAvailable());
    }

    /** @return whether flows wait for buffers. */
    public boolean hasStarvedFlows()
    {
        return !starvedFlows.isEmpty();
    }

    /** @return whether writes wait for the end of the round. */
    public boolean hasDeferredWrites()
    {
        return deferredCount > 0;
    }

    /**
     * End a connection in any state. When the relay had started, every direction whose source had not sent its EOF
     * is cut: its reader gets a reset, never a FIN, so a cut stream cannot look complete.
     */
    public void close(final Connection connection, final CloseReason reason)
    {
        if (connection.state == Connection.CLOSED)
        {
            return;
        }
        final boolean relaying = connection.state == Connection.OPEN;
        final boolean upstreamCut = relaying && (!connection.up.sourceEof || connection.up.pending != null);
        final boolean clientCut = relaying && (!connection.down.sourceEof || connection.down.pending != null);
        connection.state = Connection.CLOSED;
        connection.closeReason = reason;
        connection.preamble = null;
        timers.cancel(connection);
        timers.cancelRemoval(connection);
        releasePending(connection.up);
        releasePending(connection.down);

        if (upstreamCut || reason == CloseReason.INTERNAL_ERROR)
        {
            Sockets.resetOnClose(connection.upstream);
        }
        if (clientCut || reason == CloseReason.INTERNAL_ERROR)
        {
            Sockets.resetOnClose(connection.client);
        }
        CloseHelper.quietClose(connection.client);
        CloseHelper.quietClose(connection.upstream);

        UpstreamConnector.release(connection);
        table.remove(connection);
        Admission.release(context, connection); // the single close point: every admitted connection passes here once
        connection.closedDurationNs = clock.nowNs() - connection.openedNs;
        connection.closedUnpublished = true;
        metrics.lifecycle(connection);
    }

    private void releasePending(final Flow flow)
    {
        flow.starved = false;
        if (flow.pending != null)
        {
            pool.release(flow.pending);
            flow.pending = null;
        }
    }
}
