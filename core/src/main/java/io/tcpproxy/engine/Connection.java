package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client socket and its upstream socket, owned by one worker for their whole life.
 */
final class Connection
{
    static final int CONNECTING = 0;
    static final int OPEN = 1;
    static final int CLOSED = 2;

    final long id;
    final SocketChannel client;
    final byte[] clientAddress;
    final int clientPort;
    final long openedNs;
    final Flow up;
    final Flow down;
    SocketChannel upstream;
    SelectionKey clientKey;
    SelectionKey upstreamKey;
    int state = CONNECTING;
    CloseReason closeReason;
    /** Set when the first FIN arrives: the reason to report when both directions finish. */
    CloseReason finReason;
    long connectStartNs;
    long lastActivityNs;
    long timerId = NO_TIMER;
    /** Index in the worker's open-connection array, -1 once removed. */
    int index = -1;

    // Metrics still to publish; the connection stays in the worker's dirty list until all are out.
    boolean dirty;
    boolean openedUnpublished = true;
    boolean connectedUnpublished;
    boolean connectFailedUnpublished;
    boolean closedUnpublished;
    long connectDurationNs;
    long closedDurationNs;

    static final long NO_TIMER = Long.MIN_VALUE;

    Connection(
        final long id, final SocketChannel client, final byte[] clientAddress, final int clientPort, final long nowNs)
    {
        this.id = id;
        this.client = client;
        this.clientAddress = clientAddress;
        this.clientPort = clientPort;
        this.openedNs = nowNs;
        this.lastActivityNs = nowNs;
        this.up = new Flow(this, true);
        this.down = new Flow(this, false);
        up.reverse = down;
        down.reverse = up;
    }

    void attach(final SocketChannel upstream, final SelectionKey clientKey, final SelectionKey upstreamKey)
    {
        this.upstream = upstream;
        this.clientKey = clientKey;
        this.upstreamKey = upstreamKey;
        up.source = client;
        up.sink = upstream;
        down.source = upstream;
        down.sink = client;
    }
}
