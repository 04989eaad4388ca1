package io.tcpproxy.engine.admission;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.Sockets;
import io.tcpproxy.engine.Worker;
import io.tcpproxy.engine.WorkerClock;
import io.tcpproxy.engine.WorkerCommand;
import io.tcpproxy.engine.WorkerMetrics;
import io.tcpproxy.engine.WorkerTimers;
import io.tcpproxy.engine.preamble.PreambleReader;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.engine.relay.Relay;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.metrics.RejectReason;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The admission part of a worker: accepts from its listener (or takes hand-offs), passes a connection to a peer
 * that carries fewer, enforces {@code max_connections} and the access gate (allow/deny lists, per-client limits),
 * and pauses accepting while descriptors run short: a client is accepted only against two reserved descriptors
 * ({@link Descriptors#tryReserve}), which it carries to the peer it is handed to and gives back once its upstream
 * socket is open. A refused client is reset at once and only counted (by reason);
 * an admitted connection goes on to its preamble or straight to the upstream connect.
 */
public final class Admission
{
    private static final int MAX_ACCEPTS_PER_EVENT = 64;
    private static final long ACCEPT_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final int workerIndex;
    private final WorkerClock clock;
    private final EngineContext context;
    private final Selector selector;
    /** Replaced by {@link WorkerCommand.SwapListener} when a reload changes {@code listen_addr}. */
    private ServerSocketChannel listener;
    private boolean ownsListener;
    private final ConnectionTable table;
    private final WorkerTimers timers;
    private final WorkerMetrics metrics;
    private final Relay relay;
    private final PreambleReader preambles;
    private SelectionKey listenerKey;
    private Worker self;
    private Worker[] peers;
    private long nextConnectionSequence;
    /**
     * Whether the access gate judges clients at accept: not when they must open with a PROXY header, since the real
     * client is known only from it (the preamble judges them then); {@code max_connections} applies at accept anyway.
     */
    private final boolean judgeAccessAtAccept;
    /** The table new connections take; replaced by {@link WorkerCommand.SwapRouting} on a reload. */
    private RoutingTable routing;

    public Admission(
        final int workerIndex,
        final WorkerClock clock,
        final EngineContext context,
        final Selector selector,
        final ServerSocketChannel listener,
        final boolean ownsListener,
        final ConnectionTable table,
        final WorkerTimers timers,
        final WorkerMetrics metrics,
        final Relay relay,
        final PreambleReader preambles) throws ClosedChannelException
    {
        this.workerIndex = workerIndex;
        this.clock = clock;
        this.context = context;
        this.selector = selector;
        this.listener = listener;
        this.ownsListener = ownsListener;
        this.table = table;
        this.timers = timers;
        this.metrics = metrics;
        this.relay = relay;
        this.judgeAccessAtAccept = !context.config.acceptProxyProtocol();
        this.routing = context.initialRouting;
        this.preambles = preambles;
        this.listenerKey = listener == null ? null : listener.register(selector, SelectionKey.OP_ACCEPT, null);
    }

    /**
     * @param self    the worker this part belongs to.
     * @param workers every worker, this one included: accepted connections are balanced across them.
     */
    public void balanceWith(final Worker self, final Worker[] workers)
    {
        this.self = self;
        this.peers = workers;
    }

    /** @param table serves the connections admitted from now on (those open keep theirs). */
    public void routing(final RoutingTable table)
    {
        this.routing = table;
    }

    /** The listener is ready: accept what is waiting, up to a bound per event. */
    public void onAcceptable()
    {
        acceptUpTo(MAX_ACCEPTS_PER_EVENT);
    }

    /** @return true when the backlog is empty (or accepting cannot go on now), false when the bound was reached. */
    private boolean acceptUpTo(final int maxAccepts)
    {
        for (int i = 0; i < maxAccepts && listenerKey != null; i++)
        {
            if (!context.reserveDescriptorsForOneMore(routing.maxConnections))
            {
                pause(); // the new client stays in the backlog until two descriptors are free
                return true;
            }
            final SocketChannel channel;
            try
            {
                channel = listener.accept();
            }
            catch (final ClosedChannelException ex)
            {
                context.descriptors.release();
                return true; // stopping
            }
            catch (final IOException ex)
            {
                // Out of file descriptors (EMFILE/ENFILE) or buffers: the pending connection stays in the backlog
                // and OP_ACCEPT would fire forever, so pause instead of spinning.
                context.descriptors.release();
                pause();
                return true;
            }
            if (channel == null)
            {
                context.descriptors.release();
                return true;
            }
            if (!handedToLighterPeer(channel)) // the reservation goes with it
            {
                table.assign();
                admit(channel);
            }
        }
        return false;
    }

    /**
     * Accept from {@code fresh} from now on (a reload moved {@code listen_addr}): register it, admit what already
     * waits in the old listener's backlog (a client the kernel accepted there is served, not reset), then deregister
     * the old one, closing it if it is this worker's own. After the proxy stopped accepting, only releases
     * {@code fresh}.
     *
     * @param fresh     the new listener, non-blocking.
     * @param ownsFresh whether this worker closes it (reuse-port), rather than the engine (one shared by all).
     */
    public void swapListener(final ServerSocketChannel fresh, final boolean ownsFresh)
    {
        if (listenerKey == null)
        {
            if (ownsFresh)
            {
                CloseHelper.quietClose(fresh);
            }
            return;
        }
        final SelectionKey freshKey;
        try
        {
            freshKey = fresh.register(selector, 0, null);
        }
        catch (final ClosedChannelException ex)
        {
            return; // closed by a shutdown that raced the reload: stopping anyway
        }
        // While paused for lack of descriptors the old backlog cannot be taken (it is reset when the old listener
        // closes); the resume timer re-arms whichever key is in force then. A key no longer valid: the engine closed
        // the old listener already (this worker took the command late).
        // At most a full backlog's worth: clients still arriving on the old address must not hold the worker here.
        boolean drained = !listenerKey.isValid() || listenerKey.interestOps() == 0;
        for (int accepted = 0; !drained && accepted < Listeners.BACKLOG; accepted += MAX_ACCEPTS_PER_EVENT)
        {
            drained = acceptUpTo(MAX_ACCEPTS_PER_EVENT);
        }
        final SelectionKey oldKey = listenerKey;
        freshKey.interestOps(oldKey.isValid() ? oldKey.interestOps() : SelectionKey.OP_ACCEPT);
        final ServerSocketChannel old = listener;
        final boolean ownedOld = ownsListener;
        listener = fresh;
        ownsListener = ownsFresh;
        listenerKey = freshKey;
        release(oldKey, old, ownedOld);
    }

    /**
     * A connection another thread accepted for this worker (it counted it in the table's load and reserved its
     * descriptors).
     */
    public void onHandedOff(final SocketChannel channel)
    {
        admit(channel);
    }

    private void pause()
    {
        listenerKey.interestOps(0);
        timers.scheduleAcceptResume(clock.nowNs() + ACCEPT_PAUSE_NS);
        metrics.acceptPaused();
    }

    /** The accept pause is over. */
    public void resume()
    {
        if (listenerKey != null && listenerKey.isValid())
        {
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
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
        Worker lightest = self;
        int least = table.load();
        for (final Worker peer : peers)
        {
            final int load = peer.load();
            if (load < least)
            {
                least = load;
                lightest = peer;
            }
        }
        return lightest != self && lightest.offer(channel);
    }

    private void admit(final SocketChannel channel)
    {
        final RoutingTable routing = this.routing;
        if (context.activeConnections.incrementAndGet() > routing.maxConnections)
        {
            metrics.rejected(RejectReason.MAX_CONNECTIONS);
            drop(channel);
            return;
        }

        final InetSocketAddress remote;
        final SelectionKey clientKey;
        try
        {
            channel.configureBlocking(false);
            remote = (InetSocketAddress)channel.getRemoteAddress();
            clientKey = channel.register(selector, 0, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            drop(channel);
            return;
        }

        final byte[] address = remote.getAddress().getAddress();
        final Connection connection = new Connection(((long)workerIndex << 48) | nextConnectionSequence,
            channel, clientKey, address, remote.getPort(), clock.nowNs());
        if (judgeAccessAtAccept)
        {
            final CloseReason refused = context.access.admit(connection, connection.openedNs);
            if (refused != null)
            {
                // refused before it is a connection: no upstream connect, no buffer, no per-connection metrics
                metrics.rejected(RejectReason.of(refused));
                Sockets.resetOnClose(channel); // no TIME_WAIT left behind per refused client
                drop(channel);
                return;
            }
        }
        nextConnectionSequence++;
        try
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
        }
        catch (final IOException | RuntimeException ex)
        {
            context.access.release(connection);
            drop(channel);
            return;
        }
        connection.routing = routing;
        connection.poolIndex = routing.defaultPoolIndex;
        connection.descriptorsReserved = true; // released once its upstream socket is open, or by its close
        clientKey.attach(connection);
        table.add(connection);
        metrics.lifecycle(connection);
        try
        {
            preambles.begin(connection); // reads a preamble first, or connects upstream at once
        }
        catch (final RuntimeException ex)
        {
            metrics.internalError("closing connection " + connection.id, ex);
            relay.close(connection, CloseReason.INTERNAL_ERROR);
        }
    }

    /**
     * Give back, once, everything admission holds for a connection that closes: its place under
     * {@code max_connections}, its two reserved descriptors (if its upstream socket never opened), and its per-client
     * slot (taken at accept, or after a PROXY header by {@link EngineContext#accessGate}).
     */
    public static void release(final EngineContext context, final Connection connection)
    {
        if (connection.accessAdmitted)
        {
            connection.accessAdmitted = false;
            context.accessGate.release(connection);
        }
        context.access.release(connection);
        context.descriptors.releaseFor(connection);
        context.activeConnections.decrementAndGet();
    }

    /** Close an accepted channel before it became a connection, undoing what accepting it counted and reserved. */
    private void drop(final SocketChannel channel)
    {
        context.descriptors.release();
        table.unassign();
        context.activeConnections.decrementAndGet();
        CloseHelper.quietClose(channel);
    }

    /** Stop accepting for good: deregister (and, if it is this worker's own, close) the listener. */
    public void closeListener()
    {
        if (listenerKey != null)
        {
            final SelectionKey key = listenerKey;
            listenerKey = null;
            timers.cancelAcceptResume();
            release(key, listener, ownsListener);
        }
    }

    private void release(final SelectionKey key, final ServerSocketChannel channel, final boolean owned)
    {
        key.cancel();
        if (owned)
        {
            CloseHelper.quietClose(channel);
        }
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
