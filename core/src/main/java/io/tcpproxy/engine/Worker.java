package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.admission.Acceptor;
import io.tcpproxy.engine.admission.Admission;
import io.tcpproxy.engine.preamble.PreambleReader;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.engine.relay.Relay;
import io.tcpproxy.engine.relay.RelayBuffers;
import io.tcpproxy.engine.upstream.UpstreamConnector;
import io.tcpproxy.metrics.MetricsRing;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A selector thread that owns its connections for their whole life. The worker itself is only the duty cycle: read
 * the clock, apply commands from other threads, select (dispatching ready keys to the part whose state the
 * connection is in), expire timers, publish metrics. The work lives in the parts: {@link Admission},
 * {@link PreambleReader}, {@link UpstreamConnector}, {@link Relay}, {@link WorkerTimers}, {@link WorkerMetrics}.
 * <p>
 * Other threads talk to a worker only through its {@link CommandQueue}.
 */
public final class Worker implements Agent
{
    static final int RUNNING = 0;
    static final int STOP_ACCEPTING = 1;
    static final int CLOSE_ALL = 2;

    private static final long IDLE_SELECT_TIMEOUT_MS = 1000;
    private static final long METRICS_DRAIN_ON_CLOSE_NS = TimeUnit.SECONDS.toNanos(5);

    private final int index;
    private final EngineContext context;
    private final WorkerClock clock;
    private final Selector selector;
    private final CommandQueue commands;
    private final Consumer<WorkerCommand> commandHandler = (command) -> command.applyTo(this);
    private final Consumer<SelectionKey> keyHandler = this::onSelected;
    private final BooleanSupplier commandsWaiting;
    private final LongSupplier selectTimeout = this::selectTimeoutMs;
    private final Poller poller;
    private final RelayBuffers pool;
    private final ConnectionTable table = new ConnectionTable();
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final Relay relay;
    private final UpstreamConnector upstream;
    private final PreambleReader preambleReader;
    private final Admission admission;
    private int phase = RUNNING;
    /** Set before the thread starts (Thread.start publishes it); -1 when the worker is not pinned. */
    private int pinnedCpu = -1;
    private boolean clockReadThisRound;

    /**
     * @param index        the worker's number (also the high bits of its connection ids).
     * @param context      shared settings and counters.
     * @param listener     the listener this worker polls (its own, or one shared by all workers), or null when an
     *                     {@link Acceptor} hands accepted channels over.
     * @param ownsListener whether this worker closes the listener when it stops accepting.
     * @param ring         the worker's metrics ring.
     * @param blocking     block in select when idle (otherwise poll with selectNow; the runner's idle strategy waits).
     * @param nanoClock    the time source for every timer and duration.
     */
    Worker(
        final int index,
        final EngineContext context,
        final ServerSocketChannel listener,
        final boolean ownsListener,
        final MetricsRing ring,
        final boolean blocking,
        final NanoClock nanoClock) throws IOException
    {
        this.index = index;
        this.context = context;
        this.clock = new WorkerClock(nanoClock);
        this.selector = Selector.open();
        this.poller = new Poller(selector, clock, blocking, context.busyPollNs);
        this.commands = new CommandQueue(selector, poller);
        this.commandsWaiting = () -> !commands.isEmpty();
        this.pool = new RelayBuffers(context.config.bufferSizeBytes(), context.config.bufferPoolMb() * 1024L * 1024L);
        this.timers = new WorkerTimers(clock.nowNs());
        this.metrics = new WorkerMetrics(ring, context.log, roleName());
        this.relay = new Relay(clock, context, pool, timers, metrics, table);
        this.upstream = new UpstreamConnector(clock, context, selector, context.newSelector(), timers,
            metrics, relay);
        this.preambleReader = new PreambleReader(clock, context, pool, relay, upstream, timers, metrics);
        this.admission = new Admission(index, clock, context, selector, listener, ownsListener, table, timers, metrics,
            relay, preambleReader);
        timers.expiry(new WorkerTimers.Expiry()
        {
            public void onConnectionTimer(final Connection connection, final long nowNs)
            {
                if (connection.state == Connection.CONNECTING)
                {
                    upstream.onConnectTimeout(connection);
                }
                else if (connection.state == Connection.PREAMBLE)
                {
                    preambleReader.onTimer(connection, nowNs);
                }
                else
                {
                    relay.onIdleTimer(connection, nowNs);
                }
            }

            public void onAcceptResume()
            {
                admission.resume();
            }

            public void onServerRemoved(final Connection connection)
            {
                relay.close(connection, CloseReason.SERVER_REMOVED);
            }
        });
        metrics.bufferUse(pool);
    }

    public void onStart()
    {
        if (pinnedCpu >= 0)
        {
            final int cpu = pinnedCpu;
            final String failure = CpuAffinity.pinCurrentThread(cpu);
            if (failure == null)
            {
                context.log.info(roleName() + " pinned to CPU " + cpu);
            }
            else
            {
                context.log.warn(roleName() + ": " + failure);
            }
        }
    }

    /**
     * Pin this worker's thread to one CPU when it starts ({@link WorkerPlacement}); call before the thread starts.
     *
     * @param cpu the CPU, or -1 for none.
     */
    void pinTo(final int cpu)
    {
        pinnedCpu = cpu;
    }

    public String roleName()
    {
        return "tcp-proxy-worker-" + index;
    }

    int index()
    {
        return index;
    }

    /** @return the worker's clock as last read (its own thread only). */
    long nowNs()
    {
        return clock.nowNs();
    }

    /** @return connections open here or queued to this worker: what a peer compares when it balances new ones. */
    public int load()
    {
        return table.load();
    }

    Admission admission()
    {
        return admission;
    }

    ConnectionTable table()
    {
        return table;
    }

    WorkerTimers timers()
    {
        return timers;
    }

    RelayBuffers buffers()
    {
        return pool;
    }

    Relay relay()
    {
        return relay;
    }

    /** @return this worker's inbox: the one way other threads reach it. */
    public CommandQueue commands()
    {
        return commands;
    }

    /**
     * Hand a channel accepted on another thread to this worker.
     *
     * @param channel just accepted.
     * @return false when this worker's queue is full.
     */
    public boolean offer(final SocketChannel channel)
    {
        table.assign();
        if (!commands.submit(new WorkerCommand.HandOff(channel)))
        {
            table.unassign();
            return false;
        }
        return true;
    }

    public int doWork() throws IOException
    {
        clock.update();
        clockReadThisRound = false;
        int workCount = commands.drain(commandHandler);
        workCount += poller.select(keyHandler, commandsWaiting, selectTimeout);
        if (relay.hasDeferredWrites())
        {
            relay.flushDeferredWrites();
        }
        final long nowNs = clock.update();
        workCount += timers.poll(nowNs);
        if (relay.hasStarvedFlows())
        {
            workCount += relay.resumeStarvedFlows();
        }
        if (metrics.flushDue(nowNs))
        {
            workCount += metrics.flush(nowNs);
        }
        metrics.bufferUse(pool);
        return workCount;
    }

    private long selectTimeoutMs()
    {
        final long nowNs = clock.nowNs();
        return timers.millisToNextTick(nowNs, metrics.millisToFlush(nowNs, IDLE_SELECT_TIMEOUT_MS));
    }

    private void onSelected(final SelectionKey key)
    {
        if (!clockReadThisRound)
        {
            // select may have blocked for a while: the first event of a round reads the clock again, so connect
            // times, lifetimes and idle deadlines are measured from when the events arrived
            clock.update();
            clockReadThisRound = true;
        }
        final Object attachment = key.attachment();
        if (attachment == null)
        {
            admission.onAcceptable();
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
            if (connection.state == Connection.PREAMBLE)
            {
                preambleReader.onReadable(connection);
            }
            else if (connection.state == Connection.CONNECTING)
            {
                if (key == connection.upstreamKey && (readyOps & SelectionKey.OP_CONNECT) != 0)
                {
                    upstream.onConnectable(connection);
                }
            }
            else
            {
                relay.onReady(connection, key, readyOps);
            }
        }
        catch (final RuntimeException ex)
        {
            metrics.internalError("closing connection " + connection.id, ex);
            relay.close(connection, CloseReason.INTERNAL_ERROR);
        }
    }

    /** Command: move to a later shutdown phase (earlier or equal phases are done already). */
    void enterPhase(final int newPhase)
    {
        if (newPhase >= STOP_ACCEPTING && phase < STOP_ACCEPTING)
        {
            admission.closeListener();
        }
        if (newPhase >= CLOSE_ALL && phase < CLOSE_ALL)
        {
            closeAll(CloseReason.SHUTDOWN);
        }
        phase = Math.max(phase, newPhase);
    }

    private void closeAll(final CloseReason reason)
    {
        while (table.size() > 0)
        {
            relay.close(table.last(), reason);
        }
    }

    /** Command: never block in select again (the runner is about to stop this agent). */
    void stopBlocking()
    {
        poller.stopBlocking();
    }

    public void onClose()
    {
        clock.update();
        admission.closeListener();
        for (WorkerCommand command = commands.poll(); command != null; command = commands.poll())
        {
            if (command instanceof WorkerCommand.HandOff)
            {
                ((WorkerCommand.HandOff)command).discard(); // handed over but never opened: nothing to count
            }
            else
            {
                command.applyTo(this);
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
        CloseHelper.quietClose(selector);
        // A bound in wall-clock time, not a timer: a collector that never drains must not hang the shutdown.
        final long deadlineNs = System.nanoTime() + METRICS_DRAIN_ON_CLOSE_NS;
        while (metrics.hasUnpublished() && System.nanoTime() < deadlineNs)
        {
            if (metrics.flush(clock.nowNs()) == 0)
            {
                Thread.onSpinWait();
            }
        }
        metrics.bufferReleased(pool);
        pool.free();
    }
}
