package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.MetricsRing;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A selector thread that owns its connections for their whole life: it accepts (from its own reuse-port listener
 * or a shared one), connects upstream, relays both directions through pooled direct buffers, expires timers and
 * publishes metrics to its ring. Nothing on the relay path locks or allocates.
 * <p>
 * Other threads talk to a worker only through {@link #requestPhase(int)} and {@link #stopping()} (volatile writes
 * plus a wake-up).
 */
final class Worker implements Agent
{
    static final int RUNNING = 0;
    static final int STOP_ACCEPTING = 1;
    static final int CLOSE_ALL = 2;

    /** A bound on reads per connection per event, so one bulk stream cannot starve the others. */
    private static final int MAX_READS_PER_EVENT = 4;
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final int HANDOFF_CAPACITY = 1024;
    private static final long ACCEPT_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_SELECT_TIMEOUT_MS = 1000;
    private static final int TIMER_TICK_BITS = 24;
    private static final int TIMER_EXPIRY_LIMIT = 1024;
    private static final int MAX_TIMER_CATCH_UP_POLLS = 4096;
    /**
     * Byte deltas are summed per connection and published at most this often (lifecycle events go out every duty
     * cycle): at 100k messages a second, one record per message would cost the collector a core of its own.
     */
    private static final long BYTES_PUBLISH_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A full ring is retried this often, whatever the idle strategy (a polling worker would retry millions of times). */
    private static final long RING_FULL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Deferred writes hold a buffer each until the end of the round; below this many spare ones, write at once. */
    private static final int DEFER_RESERVE_BUFFERS = 64;

    private final int index;
    private final EngineContext context;
    private final Selector selector;
    private final boolean blocking;
    private final RelayBuffers pool;
    private final DeadlineTimerWheel timers;
    private final Long2ObjectHashMap<Connection> connectionByTimerId = new Long2ObjectHashMap<>();
    private final MetricsRing metrics;
    private final ArrayDeque<Flow> starvedFlows = new ArrayDeque<>();
    private Flow[] deferredWrites = new Flow[64];
    private int deferredCount;
    private final Consumer<SelectionKey> keyHandler = this::onSelected;
    private final DeadlineTimerWheel.TimerHandler timerHandler = this::onTimerExpiry;
    private final ServerSocketChannel listener;
    private final ManyToOneConcurrentArrayQueue<SocketChannel> handoff;
    /** Connections open here or queued to this worker: what a peer compares when it balances new ones. */
    private final AtomicInteger assigned = new AtomicInteger();
    private Worker[] peers;
    private final AtomicBoolean mayBeAsleep = new AtomicBoolean();
    private final boolean ownsListener;
    private SelectionKey listenerKey;

    private Connection[] openConnections = new Connection[64];
    private int openCount;
    private Connection[] dirtyConnections = new Connection[64];
    private int dirtyCount;
    private long nowNs;
    private boolean clockReadThisRound;
    private boolean busyPolling;
    private boolean ringWasFull;
    private long busyPollUntilNs;
    private long nextConnectionSequence;
    private long acceptResumeTimerId = Connection.NO_TIMER;
    private long lastMetricsFlushNs;
    private boolean lifecycleUnpublished;
    private long rejectedUnpublished;
    private long acceptPausesUnpublished;
    private int phase = RUNNING;

    private volatile boolean stopping;
    private volatile int requestedPhase = RUNNING;
    private volatile int acknowledgedPhase = RUNNING;

    /**
     * @param index        the worker's number (also the high bits of its connection ids).
     * @param context      shared settings and counters.
     * @param listener     the listener this worker polls (its own, or one shared by all workers), or null when an
     *                     {@link Acceptor} hands accepted channels to {@link #offer(SocketChannel)}.
     * @param ownsListener whether this worker closes the listener when it stops accepting.
     * @param metrics      the worker's metrics ring.
     * @param blocking     block in select when idle (otherwise poll with selectNow; the runner's idle strategy waits).
     */
    Worker(
        final int index,
        final EngineContext context,
        final ServerSocketChannel listener,
        final boolean ownsListener,
        final MetricsRing metrics,
        final boolean blocking) throws IOException
    {
        this.index = index;
        this.context = context;
        this.listener = listener;
        this.ownsListener = ownsListener;
        this.metrics = metrics;
        this.blocking = blocking;
        this.selector = Selector.open();
        this.pool = new RelayBuffers(context.config.bufferSizeBytes(), context.config.bufferPoolMb() * 1024L * 1024L);
        this.nowNs = System.nanoTime();
        this.timers = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNs, 1L << TIMER_TICK_BITS, 512);
        this.listenerKey = listener == null ? null : listener.register(selector, SelectionKey.OP_ACCEPT, null);
        this.handoff = new ManyToOneConcurrentArrayQueue<>(HANDOFF_CAPACITY);
        metrics.bufferUse(0, 0, pool.limitBytes());
    }

    public void onStart()
    {
        if (context.config.cpuAffinity())
        {
            final int cpu = index % Runtime.getRuntime().availableProcessors();
            final String failure = CpuAffinity.pinCurrentThread(cpu);
            System.err.println(failure == null ?
                "[INFO] " + roleName() + " pinned to CPU " + cpu : "[WARN] " + roleName() + ": " + failure);
        }
    }

    public String roleName()
    {
        return "tcp-proxy-worker-" + index;
    }

    int index()
    {
        return index;
    }

    /**
     * Ask the worker to move to a later phase; it acts on its own thread and acknowledges.
     *
     * @param newPhase {@link #STOP_ACCEPTING} or {@link #CLOSE_ALL}.
     */
    void requestPhase(final int newPhase)
    {
        if (newPhase > requestedPhase)
        {
            requestedPhase = newPhase;
        }
        selector.wakeup();
    }

    /** Never block in select again (the runner is about to stop this agent), and wake up now. */
    void stopping()
    {
        stopping = true;
        selector.wakeup();
    }

    /** @return the last phase the worker has completed. */
    int acknowledgedPhase()
    {
        return acknowledgedPhase;
    }

    public int doWork() throws IOException
    {
        nowNs = System.nanoTime();
        int workCount = 0;
        if (requestedPhase != phase)
        {
            workCount += onPhaseRequested();
        }

        clockReadThisRound = false;
        workCount += drainHandoff();
        if (blocking && !stopping && !busyPolling)
        {
            final int selected = selectWithHandoff();
            workCount += selected;
            if (selected > 0 && context.busyPollNs > 0)
            {
                busyPolling = true;
                busyPollUntilNs = System.nanoTime() + context.busyPollNs;
            }
        }
        else if (blocking && !stopping)
        {
            // Busy polling: while events keep coming, the next one is picked up without the wake-up of a blocked
            // epoll_wait (an IPI and a context switch, the costliest part of a small round trip on a VM).
            final int selected = selector.selectNow(keyHandler);
            workCount += selected;
            if (selected > 0)
            {
                busyPollUntilNs = nowNs + context.busyPollNs;
            }
            else if (System.nanoTime() - busyPollUntilNs >= 0)
            {
                busyPolling = false;
            }
            else
            {
                Thread.onSpinWait();
            }
        }
        else
        {
            workCount += selector.selectNow(keyHandler);
        }

        if (deferredCount > 0)
        {
            flushDeferredWrites();
        }
        nowNs = System.nanoTime();
        workCount += pollTimers();
        if (!starvedFlows.isEmpty())
        {
            workCount += resumeStarvedFlows();
        }
        if (metricsFlushDue())
        {
            workCount += flushMetrics();
        }
        metrics.bufferUse(pool.inUseBytes(), pool.highWaterBytes(), pool.limitBytes());
        return workCount;
    }

    public void onClose()
    {
        nowNs = System.nanoTime();
        closeListener();
        if (handoff != null)
        {
            for (SocketChannel channel = handoff.poll(); channel != null; channel = handoff.poll())
            {
                closeQuietly(channel); // handed over but never opened: nothing to relay or count
            }
        }
        closeAll(CloseReason.SHUTDOWN);
        try
        {
            selector.selectNow();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        closeQuietly(selector);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((dirtyCount > 0 || rejectedUnpublished > 0 || acceptPausesUnpublished > 0) &&
            System.nanoTime() < deadlineNs)
        {
            if (flushMetrics() == 0)
            {
                Thread.onSpinWait();
            }
        }
        metrics.bufferUse(0, pool.highWaterBytes(), pool.limitBytes());
        pool.free();
    }

    /**
     * Called by the {@link Acceptor} thread.
     *
     * @param channel just accepted.
     * @return false when this worker's queue is full.
     */
    boolean offer(final SocketChannel channel)
    {
        assigned.incrementAndGet();
        if (!handoff.offer(channel))
        {
            assigned.decrementAndGet();
            return false;
        }
        // StoreLoad between the queue's ordered store and reading the flag: the worker sets the flag, then looks at the
        // queue; without the fence both could miss the other and the channel would wait for the select timeout.
        VarHandle.fullFence();
        if (mayBeAsleep.get() && mayBeAsleep.compareAndSet(true, false))
        {
            selector.wakeup(); // only a worker that may be blocked in select needs the system call
        }
        return true;
    }

    private int selectWithHandoff() throws IOException
    {
        // Announce the sleep before the last look at the queue: an offer after the look sees the flag and wakes us.
        mayBeAsleep.set(true);
        final int selected = handoff.isEmpty() ?
            selector.select(keyHandler, selectTimeoutMs()) : selector.selectNow(keyHandler);
        mayBeAsleep.set(false);
        return selected;
    }

    private int drainHandoff()
    {
        int accepted = 0;
        SocketChannel channel;
        while (accepted < MAX_ACCEPTS_PER_EVENT && (channel = handoff.poll()) != null)
        {
            onAccepted(channel);
            accepted++;
        }
        return accepted;
    }

    private boolean metricsFlushDue()
    {
        final long sinceFlushNs = nowNs - lastMetricsFlushNs;
        if (sinceFlushNs >= BYTES_PUBLISH_INTERVAL_NS)
        {
            return true;
        }
        return lifecycleUnpublished && (!ringWasFull || sinceFlushNs >= RING_FULL_RETRY_NS);
    }

    private long selectTimeoutMs()
    {
        if (lifecycleUnpublished)
        {
            return 1; // the ring was full: publish again soon
        }
        long timeoutMs = IDLE_SELECT_TIMEOUT_MS;
        if (dirtyCount > 0)
        {
            timeoutMs = (lastMetricsFlushNs + BYTES_PUBLISH_INTERVAL_NS - nowNs) / 1_000_000 + 1;
        }
        if (timers.timerCount() > 0)
        {
            timeoutMs = Math.min(timeoutMs, (timers.currentTickTime() - nowNs) / 1_000_000 + 1);
        }
        return Math.max(1, timeoutMs);
    }

    private int onPhaseRequested()
    {
        final int target = requestedPhase;
        if (target >= STOP_ACCEPTING && phase < STOP_ACCEPTING)
        {
            closeListener();
        }
        if (target >= CLOSE_ALL && phase < CLOSE_ALL)
        {
            closeAll(CloseReason.SHUTDOWN);
        }
        phase = target;
        acknowledgedPhase = target;
        return 1;
    }

    private void closeListener()
    {
        if (listenerKey != null)
        {
            listenerKey.cancel();
            listenerKey = null;
            if (ownsListener)
            {
                closeQuietly(listener);
            }
            cancelTimer(acceptResumeTimerId);
            acceptResumeTimerId = Connection.NO_TIMER;
            try
            {
                selector.selectNow(); // completes the deregistration so the listening fd is released now
            }
            catch (final IOException ignore)
            {
                // the listener is closed either way
            }
        }
    }

    private void closeAll(final CloseReason reason)
    {
        while (openCount > 0)
        {
            close(openConnections[openCount - 1], reason);
        }
    }

    private void onSelected(final SelectionKey key)
    {
        if (!clockReadThisRound)
        {
            // select may have blocked for a while: the first event of a round reads the clock again, so connect
            // times, lifetimes and idle deadlines are measured from when the events arrived
            nowNs = System.nanoTime();
            clockReadThisRound = true;
        }
        final Object attachment = key.attachment();
        if (attachment == null)
        {
            onAcceptable();
            return;
        }

        final Connection connection = (Connection)attachment;
        if (connection.state == Connection.CLOSED || !key.isValid())
        {
            return;
        }
        try
        {
            final int readyOps = key.readyOps();
            if (key == connection.upstreamKey)
            {
                if ((readyOps & SelectionKey.OP_CONNECT) != 0)
                {
                    onConnectable(connection);
                    return;
                }
                if ((readyOps & SelectionKey.OP_WRITE) != 0)
                {
                    onWritable(connection.up);
                }
                if ((readyOps & SelectionKey.OP_READ) != 0)
                {
                    onReadable(connection.down);
                }
            }
            else
            {
                if ((readyOps & SelectionKey.OP_WRITE) != 0)
                {
                    onWritable(connection.down);
                }
                if ((readyOps & SelectionKey.OP_READ) != 0)
                {
                    onReadable(connection.up);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            System.err.println("[ERROR] " + roleName() + ": closing connection " + connection.id + ": " + ex);
            close(connection, CloseReason.INTERNAL_ERROR);
        }
    }

    private void onAcceptable()
    {
        for (int i = 0; i < MAX_ACCEPTS_PER_EVENT && listenerKey != null; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = listener.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return; // stopping
            }
            catch (final IOException ex)
            {
                // Out of file descriptors (EMFILE/ENFILE) or buffers: the pending connection stays in the backlog
                // and OP_ACCEPT would fire forever, so pause instead of spinning.
                pauseAccepting();
                return;
            }
            if (channel == null)
            {
                return;
            }
            if (!handedToLighterPeer(channel))
            {
                assigned.incrementAndGet();
                onAccepted(channel);
            }
        }
    }

    private void pauseAccepting()
    {
        listenerKey.interestOps(0);
        acceptResumeTimerId = timers.scheduleTimer(nowNs + ACCEPT_PAUSE_NS);
        acceptPausesUnpublished++;
        lifecycleUnpublished = true;
    }

    /**
     * Balance what the kernel's reuse-port hashing spreads unevenly when there are few connections (4 bulk streams on
     * 2 workers land 2-2 only 3 times in 8): a connection accepted here goes to a peer that carries fewer, as
     * HAProxy's listener queues do. With many connections the hash is even and this rarely hands anything over.
     */
    private boolean handedToLighterPeer(final SocketChannel channel)
    {
        if (peers == null)
        {
            return false;
        }
        Worker lightest = this;
        int least = assigned.get();
        for (final Worker peer : peers)
        {
            final int load = peer.assigned.get();
            if (load < least)
            {
                least = load;
                lightest = peer;
            }
        }
        return lightest != this && lightest.offer(channel);
    }

    /** @param workers every worker, this one included: accepted connections are balanced across them. */
    void balanceWith(final Worker[] workers)
    {
        this.peers = workers;
    }

    private void onAccepted(final SocketChannel channel)
    {
        if (context.activeConnections.incrementAndGet() > context.maxConnections)
        {
            rejectedUnpublished++;
            lifecycleUnpublished = true;
            dropAccepted(channel);
            return;
        }

        final InetSocketAddress remote;
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            remote = (InetSocketAddress)channel.getRemoteAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            dropAccepted(channel);
            return;
        }

        final byte[] address = remote.getAddress().getAddress();
        final Connection connection = new Connection(
            ((long)index << 48) | nextConnectionSequence++, channel, address, remote.getPort(), nowNs);
        addOpen(connection);
        markLifecycle(connection);
        try
        {
            connectUpstream(connection);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("[ERROR] " + roleName() + ": closing connection " + connection.id + ": " + ex);
            close(connection, CloseReason.INTERNAL_ERROR);
        }
    }

    /** Close an accepted channel before it became a connection, undoing what accepting it counted. */
    private void dropAccepted(final SocketChannel channel)
    {
        assigned.decrementAndGet();
        context.activeConnections.decrementAndGet();
        closeQuietly(channel);
    }

    private void connectUpstream(final Connection connection)
    {
        connection.connectStartNs = nowNs;
        final InetSocketAddress target = context.target();
        if (target.isUnresolved())
        {
            failConnect(connection, CloseReason.CONNECT_UNRESOLVED);
            return;
        }

        SocketChannel upstream = null;
        try
        {
            upstream = SocketChannel.open();
            upstream.configureBlocking(false);
            upstream.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final SelectionKey clientKey = connection.client.register(selector, 0, connection);
            final SelectionKey upstreamKey = upstream.register(selector, SelectionKey.OP_CONNECT, connection);
            connection.attach(upstream, clientKey, upstreamKey);
            if (upstream.connect(target))
            {
                onConnected(connection);
            }
            else
            {
                scheduleTimer(connection, nowNs + context.connectTimeoutNs);
            }
        }
        catch (final IOException | UnresolvedAddressException ex)
        {
            if (connection.upstream == null)
            {
                closeQuietly(upstream);
            }
            failConnect(connection, connectFailureReason(ex));
        }
    }

    private static CloseReason connectFailureReason(final Exception ex)
    {
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

    private void onConnectable(final Connection connection)
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
            failConnect(connection, connectFailureReason(ex));
            return;
        }
        onConnected(connection);
    }

    private void onConnected(final Connection connection)
    {
        cancelTimer(connection);
        connection.state = Connection.OPEN;
        connection.connectDurationNs = nowNs - connection.connectStartNs;
        connection.connectedUnpublished = true;
        connection.lastActivityNs = nowNs;
        markLifecycle(connection);
        if (context.idleTimeoutNs > 0)
        {
            scheduleTimer(connection, nowNs + context.idleTimeoutNs);
        }
        updateInterest(connection);
    }

    private void failConnect(final Connection connection, final CloseReason reason)
    {
        connection.connectDurationNs = nowNs - connection.connectStartNs;
        connection.connectFailedUnpublished = true;
        close(connection, reason);
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
            flow.starved = true;
            starvedFlows.add(flow);
            updateInterest(flow.connection);
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

            connection.lastActivityNs = nowNs;
            flow.bulk = bytesRead >= pool.ordinaryBufferBytes();
            flow.totalBytes += bytesRead;
            flow.unpublishedBytes += bytesRead;
            markDirty(connection);

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
                updateInterest(connection);
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

    private void deferWrite(final Flow flow)
    {
        if (deferredCount == deferredWrites.length)
        {
            deferredWrites = Arrays.copyOf(deferredWrites, deferredCount * 2);
        }
        deferredWrites[deferredCount++] = flow;
    }

    private void flushDeferredWrites()
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
                updateInterest(flow.connection);
            }
            catch (final IOException ex)
            {
                close(flow.connection, flow.sinkError);
            }
            catch (final RuntimeException ex)
            {
                // as in onSelected: a fault closes its own connection, never the worker
                System.err.println("[ERROR] " + roleName() + ": closing connection " + flow.connection.id + ": " + ex);
                close(flow.connection, CloseReason.INTERNAL_ERROR);
            }
        }
    }

    private void onWritable(final Flow flow)
    {
        final ByteBuffer pending = flow.pending;
        if (pending == null)
        {
            updateInterest(flow.connection);
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
            flow.connection.lastActivityNs = nowNs; // a slow reader draining a buffer is not idle
        }
        if (pending.hasRemaining())
        {
            return;
        }

        // EOF is only read while nothing is pending, so a drained flow never owes a FIN here
        flow.pending = null;
        pool.release(pending);
        updateInterest(flow.connection);
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
            updateInterest(connection);
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

    private static void updateInterest(final Connection connection)
    {
        if (connection.state != Connection.OPEN)
        {
            return;
        }
        final Flow up = connection.up;
        final Flow down = connection.down;
        setInterest(connection.clientKey,
            (up.wantsRead() ? SelectionKey.OP_READ : 0) | (down.pending != null ? SelectionKey.OP_WRITE : 0));
        setInterest(connection.upstreamKey,
            (down.wantsRead() ? SelectionKey.OP_READ : 0) | (up.pending != null ? SelectionKey.OP_WRITE : 0));
    }

    private static void setInterest(final SelectionKey key, final int ops)
    {
        if (key.interestOps() != ops)
        {
            key.interestOps(ops);
        }
    }

    private int resumeStarvedFlows()
    {
        int resumed = 0;
        final int available = pool.ordinaryAvailable();
        while (!starvedFlows.isEmpty() && resumed < available)
        {
            final Flow flow = starvedFlows.poll();
            if (flow.starved && flow.connection.state == Connection.OPEN)
            {
                flow.starved = false;
                updateInterest(flow.connection);
                resumed++;
            }
        }
        return resumed;
    }

    private void close(final Connection connection, final CloseReason reason)
    {
        if (connection.state == Connection.CLOSED)
        {
            return;
        }
        final boolean connected = connection.state == Connection.OPEN;
        // Bytes still pending towards a side mean its stream is cut short: it gets a reset, not a clean FIN.
        final boolean upstreamTruncated = connection.up.pending != null;
        final boolean clientTruncated = connection.down.pending != null;
        connection.state = Connection.CLOSED;
        connection.closeReason = reason;
        cancelTimer(connection);
        releasePending(connection.up);
        releasePending(connection.down);

        // An abort on one side is passed on as an abort (RST) to the other, so the peer does not mistake a
        // truncated stream for a complete one.
        if (connected && (upstreamTruncated ||
            reason == CloseReason.CLIENT_RESET || reason == CloseReason.INTERNAL_ERROR))
        {
            abortOnClose(connection.upstream);
        }
        if (clientTruncated || reason == CloseReason.UPSTREAM_RESET || reason == CloseReason.INTERNAL_ERROR)
        {
            abortOnClose(connection.client);
        }
        closeQuietly(connection.client);
        closeQuietly(connection.upstream);

        removeOpen(connection);
        context.activeConnections.decrementAndGet();
        connection.closedDurationNs = nowNs - connection.openedNs;
        connection.closedUnpublished = true;
        markLifecycle(connection);
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

    private static void abortOnClose(final SocketChannel channel)
    {
        if (channel != null && channel.isOpen())
        {
            try
            {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the socket is already gone; a plain close is all that is left
            }
        }
    }

    private void scheduleTimer(final Connection connection, final long deadlineNs)
    {
        final long timerId = timers.scheduleTimer(deadlineNs);
        connection.timerId = timerId;
        connectionByTimerId.put(timerId, connection);
    }

    private void cancelTimer(final Connection connection)
    {
        if (connection.timerId != Connection.NO_TIMER)
        {
            connectionByTimerId.remove(connection.timerId);
            timers.cancelTimer(connection.timerId);
            connection.timerId = Connection.NO_TIMER;
        }
    }

    private void cancelTimer(final long timerId)
    {
        if (timerId != Connection.NO_TIMER)
        {
            timers.cancelTimer(timerId);
        }
    }

    private int pollTimers()
    {
        if (timers.timerCount() == 0)
        {
            timers.currentTickTime(nowNs);
            return 0;
        }
        int expired = 0;
        for (int i = 0; i < MAX_TIMER_CATCH_UP_POLLS && timers.currentTickTime() <= nowNs; i++)
        {
            expired += timers.poll(nowNs, timerHandler, TIMER_EXPIRY_LIMIT);
        }
        return expired;
    }

    private boolean onTimerExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        if (timerId == acceptResumeTimerId)
        {
            acceptResumeTimerId = Connection.NO_TIMER;
            if (listenerKey != null && listenerKey.isValid())
            {
                listenerKey.interestOps(SelectionKey.OP_ACCEPT);
            }
            return true;
        }

        final Connection connection = connectionByTimerId.remove(timerId);
        if (connection == null || connection.timerId != timerId)
        {
            return true;
        }
        connection.timerId = Connection.NO_TIMER;
        if (connection.state == Connection.CONNECTING)
        {
            failConnect(connection, CloseReason.CONNECT_TIMEOUT);
        }
        else if (connection.state == Connection.OPEN)
        {
            final long idleDeadlineNs = connection.lastActivityNs + context.idleTimeoutNs;
            if (now - idleDeadlineNs >= 0)
            {
                close(connection, CloseReason.IDLE_TIMEOUT);
            }
            else
            {
                scheduleTimer(connection, idleDeadlineNs);
            }
        }
        return true;
    }

    private void addOpen(final Connection connection)
    {
        if (openCount == openConnections.length)
        {
            openConnections = Arrays.copyOf(openConnections, openCount * 2);
        }
        connection.index = openCount;
        openConnections[openCount++] = connection;
    }

    private void removeOpen(final Connection connection)
    {
        final int i = connection.index;
        if (i < 0)
        {
            return;
        }
        assigned.decrementAndGet();
        final Connection last = openConnections[--openCount];
        openConnections[i] = last;
        last.index = i;
        openConnections[openCount] = null;
        connection.index = -1;
    }

    private void markLifecycle(final Connection connection)
    {
        lifecycleUnpublished = true;
        markDirty(connection);
    }

    private void markDirty(final Connection connection)
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

    private int flushMetrics()
    {
        lastMetricsFlushNs = nowNs;
        lifecycleUnpublished = true; // until everything below is out
        ringWasFull = true;
        if (rejectedUnpublished > 0)
        {
            if (!metrics.rejected(rejectedUnpublished))
            {
                metrics.onRingFull();
                return 0;
            }
            rejectedUnpublished = 0;
        }
        if (acceptPausesUnpublished > 0)
        {
            if (!metrics.acceptPaused(acceptPausesUnpublished))
            {
                metrics.onRingFull();
                return 0;
            }
            acceptPausesUnpublished = 0;
        }

        final Connection[] dirty = dirtyConnections;
        final int count = dirtyCount;
        int published = 0;
        while (published < count)
        {
            final Connection connection = dirty[published];
            if (!publish(connection))
            {
                metrics.onRingFull();
                break;
            }
            connection.dirty = false;
            published++;
        }
        if (published > 0)
        {
            System.arraycopy(dirty, published, dirty, 0, count - published);
            Arrays.fill(dirty, count - published, count, null);
            dirtyCount = count - published;
        }
        lifecycleUnpublished = dirtyCount > 0;
        ringWasFull = published < count;
        return published;
    }

    private boolean publish(final Connection connection)
    {
        if (connection.openedUnpublished)
        {
            if (!metrics.opened(connection.id, connection.clientAddress, connection.clientPort))
            {
                return false;
            }
            connection.openedUnpublished = false;
        }
        if (connection.connectedUnpublished)
        {
            if (!metrics.connected(connection.id, connection.connectDurationNs))
            {
                return false;
            }
            connection.connectedUnpublished = false;
        }
        if (connection.up.unpublishedBytes != 0 || connection.down.unpublishedBytes != 0)
        {
            if (!metrics.bytes(connection.id, connection.up.unpublishedBytes, connection.down.unpublishedBytes))
            {
                return false;
            }
            connection.up.unpublishedBytes = 0;
            connection.down.unpublishedBytes = 0;
        }
        if (connection.connectFailedUnpublished)
        {
            if (!metrics.connectFailed(connection.id, connection.closeReason, connection.connectDurationNs))
            {
                return false;
            }
            connection.connectFailedUnpublished = false;
        }
        if (connection.closedUnpublished)
        {
            if (!metrics.closed(
                connection.id,
                connection.closeReason,
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

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // nothing more can be done for this socket
            }
        }
    }
}
