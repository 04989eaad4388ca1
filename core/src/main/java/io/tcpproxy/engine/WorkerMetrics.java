package io.tcpproxy.engine;

import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.RelayBuffers;
import io.tcpproxy.metrics.EndedBy;
import io.tcpproxy.metrics.MetricsRing;
import io.tcpproxy.metrics.RejectReason;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What a worker publishes to its metrics ring: connections with something unpublished sit in a dirty list until a
 * flush gets all of it out; counts without a connection (rejections, accept pauses) are summed until then. The
 * only class of the engine that calls the ring's producer methods. Never blocks: a full ring is retried later.
 */
public final class WorkerMetrics
{
    /**
     * Byte deltas are summed per connection and published at most this often (lifecycle events go out every duty
     * cycle): at 100k messages a second, one record per message would cost the collector a core of its own. The
     * collector snapshots every 100 ms, so fresher counts are never seen. The collector parks until its next snapshot
     * is due and is woken early only when this worker's ring passes half full ({@code MetricsRing}), never per
     * publish (docs/performance-profile.md).
     */
    private static final long BYTES_PUBLISH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A full ring is retried this often, whatever the idle strategy (a polling worker would retry millions of times). */
    private static final long RING_FULL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final MetricsRing ring;
    private final EngineLog log;
    private final String workerName;
    private Connection[] dirtyConnections = new Connection[64];
    private int dirtyCount;
    private long lastFlushNs;
    private boolean lifecycleUnpublished;
    private boolean ringWasFull;
    private static final RejectReason[] REJECT_REASONS = RejectReason.values();

    /** Clients refused at accept since the last flush, by {@link RejectReason} ordinal. */
    private final long[] rejectedUnpublished = new long[REJECT_REASONS.length];
    private boolean anyRejectedUnpublished;
    private long acceptPausesUnpublished;
    /** Connections routed to each pool (by index) since the last publish. */
    private long[] routedUnpublished = new long[4];
    private boolean routedPending;
    /** The last upstream server published and its IP bytes: targets repeat, so no copy per connection. */
    private InetSocketAddress lastTarget;
    private byte[] lastTargetBytes;
    /** The buffer use last stored in the ring (-1: never), so an unchanged one costs no store to a shared line. */
    private long publishedInUseBytes = -1;
    private long publishedHighWaterBytes = -1;
    private long publishedLimitBytes = -1;

    WorkerMetrics(final MetricsRing ring, final EngineLog log, final String workerName)
    {
        this.ring = ring;
        this.log = log;
        this.workerName = workerName;
    }

    /** A connection opened, connected, failed or closed: publish in this duty cycle. */
    public void lifecycle(final Connection connection)
    {
        lifecycleUnpublished = true;
        dirty(connection);
    }

    /** A connection relayed bytes: publish within the bytes interval. */
    public void dirty(final Connection connection)
    {
        if (!connection.dirty)
        {
            connection.dirty = true;
            if (dirtyCount == dirtyConnections.length)
            {
                dirtyConnections = Arrays.copyOf(dirtyConnections, dirtyCount * 2);
            }
            dirtyConnections[dirtyCount++] = connection;
        }
    }

    /** @param reason why an accepted client was refused before it became a connection. */
    public void rejected(final RejectReason reason)
    {
        rejectedUnpublished[reason.ordinal()]++;
        anyRejectedUnpublished = true;
        lifecycleUnpublished = true;
    }

    /** A connection's preamble chose the pool with this index (SNI routing, or its default). */
    public void routed(final int poolIndex)
    {
        if (poolIndex >= routedUnpublished.length)
        {
            routedUnpublished = Arrays.copyOf(routedUnpublished, Math.max(poolIndex + 1, routedUnpublished.length * 2));
        }
        routedUnpublished[poolIndex]++;
        routedPending = true;
        lifecycleUnpublished = true;
    }

    /** Accepting paused for want of descriptors. */
    public void acceptPaused()
    {
        acceptPausesUnpublished++;
        lifecycleUnpublished = true;
    }

    /**
     * An unexpected fault on this worker (a bug, not a peer's doing): the one place engine errors are logged and
     * counted.
     */
    public void internalError(final String what, final Throwable error)
    {
        log.error(workerName + ": " + what + ": " + error);
        ring.internalErrors(1); // tcp_proxy_internal_errors_total: best effort, the log line is the record
    }

    /** @param pool whose use to report (stored only when it changed: the collector reads these fields). */
    void bufferUse(final RelayBuffers pool)
    {
        final long inUseBytes = pool.inUseBytes();
        final long highWaterBytes = pool.highWaterBytes();
        final long limitBytes = pool.limitBytes();
        if (inUseBytes != publishedInUseBytes || highWaterBytes != publishedHighWaterBytes ||
            limitBytes != publishedLimitBytes)
        {
            publishedInUseBytes = inUseBytes;
            publishedHighWaterBytes = highWaterBytes;
            publishedLimitBytes = limitBytes;
            ring.bufferUse(inUseBytes, highWaterBytes, limitBytes);
        }
    }

    /** The pool is gone: report it empty. */
    void bufferReleased(final RelayBuffers pool)
    {
        ring.bufferUse(0, pool.highWaterBytes(), pool.limitBytes());
    }

    /** @return whether anything waits to be published. */
    boolean hasUnpublished()
    {
        return dirtyCount > 0 || anyRejectedUnpublished || acceptPausesUnpublished > 0 || routedPending;
    }

    /** @return whether a flush is due at {@code nowNs}. */
    boolean flushDue(final long nowNs)
    {
        final long sinceFlushNs = nowNs - lastFlushNs;
        if (sinceFlushNs >= BYTES_PUBLISH_INTERVAL_NS)
        {
            return true;
        }
        return lifecycleUnpublished && (!ringWasFull || sinceFlushNs >= RING_FULL_RETRY_NS);
    }

    /** @return how long select may block before metrics need a flush, in milliseconds (at least 1). */
    long millisToFlush(final long nowNs, final long idleMs)
    {
        if (lifecycleUnpublished)
        {
            return 1; // the ring was full: publish again soon
        }
        if (dirtyCount > 0)
        {
            return Math.max(1, Math.min(idleMs, (lastFlushNs + BYTES_PUBLISH_INTERVAL_NS - nowNs) / 1_000_000 + 1));
        }
        return idleMs;
    }

    /** @return connections published. */
    int flush(final long nowNs)
    {
        lastFlushNs = nowNs;
        lifecycleUnpublished = true; // until everything below is out
        ringWasFull = true;
        if (anyRejectedUnpublished)
        {
            for (final RejectReason reason : REJECT_REASONS)
            {
                final long count = rejectedUnpublished[reason.ordinal()];
                if (count > 0)
                {
                    if (!ring.rejected(reason, count))
                    {
                        ring.onRingFull();
                        return 0;
                    }
                    rejectedUnpublished[reason.ordinal()] = 0;
                }
            }
            anyRejectedUnpublished = false;
        }
        if (acceptPausesUnpublished > 0)
        {
            if (!ring.acceptPaused(acceptPausesUnpublished))
            {
                ring.onRingFull();
                return 0;
            }
            acceptPausesUnpublished = 0;
        }
        if (routedPending)
        {
            for (int pool = 0; pool < routedUnpublished.length; pool++)
            {
                if (routedUnpublished[pool] > 0)
                {
                    if (!ring.routed(pool, routedUnpublished[pool]))
                    {
                        ring.onRingFull();
                        return 0;
                    }
                    routedUnpublished[pool] = 0;
                }
            }
            routedPending = false;
        }

        final Connection[] dirty = dirtyConnections;
        final int count = dirtyCount;
        int published = 0;
        while (published < count)
        {
            final Connection connection = dirty[published];
            if (!publish(connection))
            {
                ring.onRingFull();
                break;
            }
            connection.dirty = false;
            published++;
        }
        if (published > 0)
        {
            System.arraycopy(dirty, published, dirty, 0, count - published);
            // a plain loop, not Arrays.fill: that one is shared with every caller in the JVM, and the array-type
            // speculation C2 takes from its mixed profile failed here over and over (three deoptimizations a minute)
            for (int i = count - published; i < count; i++)
            {
                dirty[i] = null;
            }
            dirtyCount = count - published;
        }
        lifecycleUnpublished = dirtyCount > 0;
        ringWasFull = published < count;
        return published;
    }

    private boolean publish(final Connection connection)
    {
        if (connection.openedUnpublished && connection.state == Connection.PREAMBLE)
        {
            // The real client may still come from a PROXY-protocol header: the open event waits for the end of the
            // preamble (the connect or the close puts the connection back in the dirty list).
            return true;
        }
        if (connection.openedUnpublished)
        {
            if (connection.sourcePending && !connection.closedUnpublished)
            {
                return true; // the PROXY header naming the real client is still awaited; the preamble re-publishes
            }
            if (!ring.opened(connection.id, connection.sourceAddress, connection.sourcePort))
            {
                return false;
            }
            connection.openedUnpublished = false;
        }
        if (connection.connectedUnpublished)
        {
            if (!ring.connected(connection.id, connection.connectDurationNs,
                targetBytes(connection.upstreamTarget), portOf(connection.upstreamTarget)))
            {
                return false;
            }
            connection.connectedUnpublished = false;
        }
        // Bytes read while connecting (a preamble's, or a client's early data) wait for the outcome: they belong to
        // the server that takes the connection, not to one whose connect then fails and is retried elsewhere.
        if ((connection.up.unpublishedBytes != 0 || connection.down.unpublishedBytes != 0) &&
            connection.state != Connection.CONNECTING)
        {
            if (!ring.bytes(connection.id, connection.up.unpublishedBytes, connection.down.unpublishedBytes))
            {
                return false;
            }
            if (connection.server != null)
            {
                connection.server.addBytesSent(connection.up.unpublishedBytes);
                connection.server.addBytesReceived(connection.down.unpublishedBytes);
            }
            connection.up.unpublishedBytes = 0;
            connection.down.unpublishedBytes = 0;
        }
        if (connection.connectFailedUnpublished)
        {
            if (!ring.connectFailed(connection.id, connection.closeReason, connection.connectDurationNs))
            {
                return false;
            }
            connection.connectFailedUnpublished = false;
        }
        if (connection.closedUnpublished)
        {
            if (!ring.closed(
                connection.id,
                connection.closeReason,
                EndedBy.of(connection.closeReason),
                connection.closedDurationNs,
                connection.up.totalBytes,
                connection.down.totalBytes))
            {
                return false;
            }
            connection.closedUnpublished = false;
        }
        return true;
    }

    private byte[] targetBytes(final InetSocketAddress target)
    {
        if (null == target)
        {
            return null;
        }
        if (target != lastTarget)
        {
            final InetAddress address = target.getAddress();
            lastTargetBytes = null == address ? null : address.getAddress(); // a copy: only when the target changes
            lastTarget = target;
        }
        return lastTargetBytes;
    }

    private static int portOf(final InetSocketAddress target)
    {
        return null == target ? 0 : target.getPort();
    }
}
