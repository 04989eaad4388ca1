package io.tcpproxy.engine.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.access.ClientTable;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.admission.Descriptors;
import io.tcpproxy.engine.preamble.PreambleHandler;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.upstream.ConnectAttempt;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client socket and its upstream socket, owned by one worker for their whole life. Its life is a short line of
 * states: {@link #PREAMBLE} (only with a {@link PreambleHandler}: bytes read before relaying), {@link #CONNECTING},
 * {@link #OPEN} (relaying), {@link #CLOSED}; each part of the worker acts only in its own states.
 */
public final class Connection
{
    public static final int PREAMBLE = 0;
    public static final int CONNECTING = 1;
    public static final int OPEN = 2;
    public static final int CLOSED = 3;

    public static final long NO_TIMER = Long.MIN_VALUE;

    public final long id;
    public final SocketChannel client;
    public final byte[] clientAddress;
    public final int clientPort;
    public final long openedNs;
    public final Flow up;
    public final Flow down;
    public final SelectionKey clientKey;
    public SocketChannel upstream;
    public SelectionKey upstreamKey;
    public int state = CONNECTING;
    /** Holds two descriptors reserved at accept until its upstream socket is open ({@link Descriptors}). */
    public boolean descriptorsReserved;
    /** Reads the preamble in state {@link #PREAMBLE}; null otherwise. */
    public PreambleHandler preamble;
    public CloseReason closeReason;
    /** Set when the first FIN arrives: the reason to report when both directions finish. */
    CloseReason finReason;
    /**
     * The real client: the socket peer, or the source of an accepted PROXY-protocol header. Access lists, per-client
     * limits, per-client metrics, log lines and source-hash balancing use this, never {@link #clientAddress}.
     */
    public byte[] sourceAddress;
    public int sourcePort;
    /**
     * The pool to connect to: its position in {@code Config.pools()} order (0 = the first, "default" when routes are
     * not used). A preamble handler (SNI routing) may set it before the connect starts.
     */
    public int poolIndex;
    /** The per-client table counting this connection while it is open (released once on close), or null. */
    public ClientTable clientTable;
    public long clientKeyHigh;
    public long clientKeyLow;
    /** The routing table in force when the connection was admitted; it keeps it for its whole life. */
    public RoutingTable routing;
    /** The pool of {@link #poolIndex} once connecting starts; null with a single {@code target_addr} name. */
    public UpstreamPool upstreamPool;
    /** The server tried now or connected to; holds one of its connection slots until released. */
    public UpstreamServer server;
    /** The servers tried so far; only while connecting, then back to the worker's spares. */
    public ConnectAttempt attempt;
    /** Tries started so far, every selector. */
    public int connectTries;
    /** Why the last try failed, or null. */
    public CloseReason lastConnectFailure;
    /**
     * Set while a PROXY-protocol header is awaited: the real client is not known yet, so the "opened" metrics event
     * waits (unless the connection closes first).
     */
    public boolean sourcePending;
    /** Whether {@link #preambleDeadlineNs} bounds the current preamble step. */
    public boolean preambleTimed;
    /** When the current preamble step must be complete (worker clock). */
    public long preambleDeadlineNs;
    /** Admitted by {@link EngineContext#accessGate} after a preamble: it is released when the connection closes. */
    public boolean accessAdmitted;
    /** The server the upstream connect went to (named in the access log); null before the connect starts. */
    public InetSocketAddress upstreamTarget;
    public long connectStartNs;
    public long lastActivityNs;
    public long timerId = NO_TIMER;
    /** The close of a drain after a reload removed {@link #server} ({@code removed_server_drain_secs}), if any. */
    public long removalTimerId = NO_TIMER;
    public long removalDeadlineNs;
    /** Index in the worker's connection table, -1 once removed. */
    int index = -1;

    // Metrics still to publish; the connection stays in the worker's dirty list until all are out.
    public boolean dirty;
    public boolean openedUnpublished = true;
    public boolean connectedUnpublished;
    public boolean connectFailedUnpublished;
    public boolean closedUnpublished;
    public long connectDurationNs;
    public long closedDurationNs;

    public Connection(
        final long id,
        final SocketChannel client,
        final SelectionKey clientKey,
        final byte[] clientAddress,
        final int clientPort,
        final long nowNs)
    {
        this.id = id;
        this.client = client;
        this.clientKey = clientKey;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
        this.sourceAddress = clientAddress;
        this.sourcePort = clientPort;
        this.openedNs = nowNs;
        this.lastActivityNs = nowNs;
        this.up = new Flow(this, true);
        this.down = new Flow(this, false);
        up.reverse = down;
        down.reverse = up;
        up.source = client;
        down.sink = client;
    }

    /** Forget a failed try's socket before the next try. */
    public void detachUpstream()
    {
        this.upstream = null;
        this.upstreamKey = null;
        up.sink = null;
        down.source = null;
    }

    public void attachUpstream(final SocketChannel upstream, final SelectionKey upstreamKey)
    {
        this.upstream = upstream;
        this.upstreamKey = upstreamKey;
        up.sink = upstream;
        down.source = upstream;
    }
}
