package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;

import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client socket and its upstream socket, owned by one worker for their whole life. Its life is a short line of
 * states: {@link #PREAMBLE} (only with a {@link PreambleHandler}: bytes read before relaying), {@link #CONNECTING},
 * {@link #OPEN} (relaying), {@link #CLOSED}; each part of the worker acts only in its own states.
 */
final class Connection
{
    static final int PREAMBLE = 0;
    static final int CONNECTING = 1;
    static final int OPEN = 2;
    static final int CLOSED = 3;

    static final long NO_TIMER = Long.MIN_VALUE;

    final long id;
    final SocketChannel client;
    final byte[] clientAddress;
    final int clientPort;
    final long openedNs;
    final Flow up;
    final Flow down;
    final SelectionKey clientKey;
    SocketChannel upstream;
    SelectionKey upstreamKey;
    int state = CONNECTING;
    /** Reads the preamble in state {@link #PREAMBLE}; null otherwise. */
    PreambleHandler preamble;
    CloseReason closeReason;
    /** Set when the first FIN arrives: the reason to report when both directions finish. */
    CloseReason finReason;
    /**
     * The real client: the socket peer, or the source of an accepted PROXY-protocol header. Access lists, per-client
     * limits, per-client metrics, log lines and source-hash balancing use this, never {@link #clientAddress}.
     */
    byte[] sourceAddress;
    int sourcePort;
    /**
     * The pool to connect to: its position in {@code Config.pools()} order (0 = the first, "default" when routes are
     * not used). A preamble handler (SNI routing) may set it before the connect starts.
     */
    int poolIndex;
    /** The server the upstream connect went to (named in the access log); null before the connect starts. */
    InetSocketAddress upstreamTarget;
    long connectStartNs;
    long lastActivityNs;
    long timerId = NO_TIMER;
    /** Index in the worker's connection table, -1 once removed. */
    int index = -1;

    // Metrics still to publish; the connection stays in the worker's dirty list until all are out.
    boolean dirty;
    boolean openedUnpublished = true;
    boolean connectedUnpublished;
    boolean connectFailedUnpublished;
    boolean closedUnpublished;
    long connectDurationNs;
    long closedDurationNs;

    Connection(
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

    void attachUpstream(final SocketChannel upstream, final SelectionKey upstreamKey)
    {
        this.upstream = upstream;
        this.upstreamKey = upstreamKey;
        up.sink = upstream;
        down.source = upstream;
    }
}
