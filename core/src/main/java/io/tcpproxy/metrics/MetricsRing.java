package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One worker's metrics ring: the worker publishes lifecycle events and byte deltas (tryClaim, encode, commit;
 * never blocks, never allocates), the collector reads them. Internal to the proxy; public only so the engine
 * package can use it.
 */
public final class MetricsRing
{
    /** Bytes one record takes in the ring at most: the largest message plus the record header, aligned. */
    private static final int RECORD_BYTES = 64;

    static
    {
        if (RingCodec.MAX_LENGTH + RecordDescriptor.HEADER_LENGTH > RECORD_BYTES)
        {
            throw new ExceptionInInitializerError("ring records are sized too small for the largest message");
        }
    }

    private final int workerIndex;
    private final OneToOneRingBuffer ring;
    private final AtomicBuffer buffer;
    private final AtomicLong ringFullCount = new AtomicLong();
    private final AtomicLong bufferBytesInUse = new AtomicLong();
    private final AtomicLong bufferBytesHighWater = new AtomicLong();
    private final AtomicLong bufferBytesLimit = new AtomicLong();
    /**
     * The thread reading this ring (null: none to wake, e.g. a collector driven by hand). It parks up to a snapshot
     * interval, so the worker wakes it when the ring passes half full: high connection churn never fills the ring,
     * and steady traffic (a record per connection per 100 ms) never costs an unpark, which is a futex call.
     */
    private volatile Thread reader;
    private final int wakeOccupancyBytes;
    private final int wakeRecheckBytes;
    /** Producer's own: the tail position before which the ring cannot pass half full, so nothing to check. */
    private long nextWakeCheckPosition;
    private final AtomicLong readerWakeCount = new AtomicLong();

    /**
     * @param workerIndex       the worker publishing.
     * @param channelBufferSize events the ring holds.
     */
    public MetricsRing(final int workerIndex, final int channelBufferSize)
    {
        this.workerIndex = workerIndex;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(channelBufferSize, 16) * RECORD_BYTES);
        this.ring = new OneToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        this.buffer = ring.buffer();
        this.wakeOccupancyBytes = ring.capacity() / 2;
        this.wakeRecheckBytes = ring.capacity() / 8;
        this.nextWakeCheckPosition = wakeOccupancyBytes;
    }

    /** @param thread the thread reading this ring from now on, woken when it passes half full; null for none. */
    void readBy(final Thread thread)
    {
        reader = thread;
    }

    /** @return how often the producer woke the reader because the ring passed half full (never goes down). */
    long readerWakeCount()
    {
        return readerWakeCount.get();
    }

    /** Free the ring's direct memory now; nothing may publish or read afterwards. */
    public void free()
    {
        BufferUtil.free(buffer.byteBuffer());
    }

    /** @return the worker index. */
    public int workerIndex()
    {
        return workerIndex;
    }

    RingBuffer ring()
    {
        return ring;
    }

    /**
     * A client connection was accepted.
     *
     * @param connectionId unique id.
     * @param address      the client's IP (4 or 16 bytes).
     * @param port         the client's port.
     * @return false when the ring is full (try again later).
     */
    public boolean opened(final long connectionId, final byte[] address, final int port)
    {
        final int index = ring.tryClaim(RingCodec.OPENED, RingCodec.OPENED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeOpened(buffer, index, connectionId, address, port);
        commit(index);
        return true;
    }

    /**
     * The upstream connection was established.
     *
     * @param connectionId unique id.
     * @param connectNs    time the connect took.
     * @return false when the ring is full.
     */
    public boolean connected(final long connectionId, final long connectNs)
    {
        return connected(connectionId, connectNs, null, 0);
    }

    /**
     * The upstream connection was established, to this server (named in the access log).
     *
     * @param connectionId    unique id.
     * @param connectNs       time the connect took.
     * @param upstreamAddress the server's IP (4 or 16 bytes), or null when unknown.
     * @param upstreamPort    the server's port.
     * @return false when the ring is full.
     */
    public boolean connected(
        final long connectionId, final long connectNs, final byte[] upstreamAddress, final int upstreamPort)
    {
        final int index = ring.tryClaim(RingCodec.CONNECTED, RingCodec.CONNECTED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeConnected(buffer, index, connectionId, connectNs, upstreamAddress, upstreamPort);
        commit(index);
        return true;
    }

    /**
     * The upstream connect failed.
     *
     * @param connectionId unique id.
     * @param reason       why.
     * @param elapsedNs    time until the failure.
     * @return false when the ring is full.
     */
    public boolean connectFailed(final long connectionId, final CloseReason reason, final long elapsedNs)
    {
        final int index = ring.tryClaim(RingCodec.CONNECT_FAILED, RingCodec.CONNECT_FAILED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeConnectFailed(buffer, index, connectionId, reason, elapsedNs);
        commit(index);
        return true;
    }

    /**
     * Bytes relayed since the last publish for this connection.
     *
     * @param connectionId    unique id.
     * @param upstreamBytes   client to upstream.
     * @param downstreamBytes upstream to client.
     * @return false when the ring is full.
     */
    public boolean bytes(final long connectionId, final long upstreamBytes, final long downstreamBytes)
    {
        final int index = ring.tryClaim(RingCodec.BYTES, RingCodec.BYTES_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeBytes(buffer, index, connectionId, upstreamBytes, downstreamBytes);
        commit(index);
        return true;
    }

    /**
     * The connection closed. Its byte deltas must have been published before.
     *
     * @param connectionId    unique id.
     * @param reason          why.
     * @param durationNs      lifetime.
     * @param upstreamBytes   total client to upstream.
     * @param downstreamBytes total upstream to client.
     * @return false when the ring is full.
     */
    public boolean closed(
        final long connectionId,
        final CloseReason reason,
        final long durationNs,
        final long upstreamBytes,
        final long downstreamBytes)
    {
        return closed(connectionId, reason, EndedBy.of(reason), durationNs, upstreamBytes, downstreamBytes);
    }

    /**
     * The connection closed, saying which side ended it (for the access log). Its byte deltas must have been
     * published before.
     *
     * @param connectionId    unique id.
     * @param reason          why.
     * @param endedBy         which side ended it.
     * @param durationNs      lifetime.
     * @param upstreamBytes   total client to upstream.
     * @param downstreamBytes total upstream to client.
     * @return false when the ring is full.
     */
    public boolean closed(
        final long connectionId,
        final CloseReason reason,
        final EndedBy endedBy,
        final long durationNs,
        final long upstreamBytes,
        final long downstreamBytes)
    {
        final int index = ring.tryClaim(RingCodec.CLOSED, RingCodec.CLOSED_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeClosed(buffer, index, connectionId, reason, endedBy, durationNs, upstreamBytes, downstreamBytes);
        commit(index);
        return true;
    }

    /**
     * Clients closed at accept because max_connections were open, or accept pauses (EMFILE).
     *
     * @param type  a count message type of {@link RingCodec}.
     * @param count how many since the last publish.
     * @return false when the ring is full.
     */
    private boolean count(final int type, final long count)
    {
        final int index = ring.tryClaim(type, RingCodec.COUNT_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeCount(buffer, index, count);
        commit(index);
        return true;
    }

    /**
     * @param count clients rejected for {@code max_connections} since the last publish.
     * @return false when the ring is full.
     */
    public boolean rejected(final long count)
    {
        return rejected(RejectReason.MAX_CONNECTIONS, count);
    }

    /**
     * @param reason why they were refused.
     * @param count  clients refused for it since the last publish.
     * @return false when the ring is full.
     */
    public boolean rejected(final RejectReason reason, final long count)
    {
        return keyedCount(RingCodec.REJECTED, reason.ordinal(), count);
    }

    /**
     * @param count accept pauses since the last publish.
     * @return false when the ring is full.
     */
    public boolean acceptPaused(final long count)
    {
        return count(RingCodec.ACCEPT_PAUSED, count);
    }

    /**
     * @param count unexpected errors inside the worker since the last publish ({@code tcp_proxy_internal_errors_total}).
     * @return false when the ring is full.
     */
    public boolean internalErrors(final long count)
    {
        return count(RingCodec.INTERNAL_ERRORS, count);
    }

    /**
     * @param pool  the pool's index in {@code Config.pools()} order.
     * @param count connections routed to it since the last publish ({@code tcp_proxy_route_connections_total}).
     * @return false when the ring is full.
     */
    public boolean routed(final int pool, final long count)
    {
        return keyedCount(RingCodec.ROUTED, pool, count);
    }

    private boolean keyedCount(final int type, final int key, final long count)
    {
        final int index = ring.tryClaim(type, RingCodec.KEYED_COUNT_LENGTH);
        if (index <= 0)
        {
            return false;
        }
        RingCodec.encodeKeyedCount(buffer, index, key, count);
        commit(index);
        return true;
    }

    private void commit(final int index)
    {
        ring.commit(index);
        final long tailPosition = ring.producerPosition(); // the producer's own line: no cross-core traffic
        if (tailPosition >= nextWakeCheckPosition)
        {
            wakeReaderIfHalfFull(tailPosition);
        }
    }

    private void wakeReaderIfHalfFull(final long tailPosition)
    {
        final long headPosition = ring.consumerPosition(); // the reader's line: read once per half ring at most
        if (tailPosition - headPosition >= wakeOccupancyBytes)
        {
            final Thread thread = reader;
            if (null != thread)
            {
                LockSupport.unpark(thread);
                readerWakeCount.lazySet(readerWakeCount.get() + 1);
            }
            // the reader may not run at once: ask again only after another eighth of the ring, not per record
            nextWakeCheckPosition = tailPosition + wakeRecheckBytes;
        }
        else
        {
            nextWakeCheckPosition = headPosition + wakeOccupancyBytes;
        }
    }

    /** Count one occasion on which the ring was full (the events wait and go out later). */
    public void onRingFull()
    {
        ringFullCount.lazySet(ringFullCount.get() + 1);
    }

    long ringFullCount()
    {
        return ringFullCount.get();
    }

    /**
     * Publish the worker's buffer pool use (read by the collector for the gauges).
     *
     * @param inUseBytes     bytes of relay buffers held now.
     * @param highWaterBytes most bytes ever held at once.
     * @param limitBytes     the pool's bound.
     */
    public void bufferUse(final long inUseBytes, final long highWaterBytes, final long limitBytes)
    {
        bufferBytesInUse.lazySet(inUseBytes);
        bufferBytesHighWater.lazySet(highWaterBytes);
        bufferBytesLimit.lazySet(limitBytes);
    }

    long bufferBytesInUse()
    {
        return bufferBytesInUse.get();
    }

    long bufferBytesHighWater()
    {
        return bufferBytesHighWater.get();
    }

    long bufferBytesLimit()
    {
        return bufferBytesLimit.get();
    }
}
