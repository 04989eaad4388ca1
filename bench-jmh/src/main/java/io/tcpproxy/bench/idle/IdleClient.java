package io.tcpproxy.bench.idle;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection of {@code idle-check}: how much of the current message has been sent and echoed back.
 */
final class IdleClient
{
    static final int CONNECTING = 0;
    static final int EXCHANGING = 1;
    static final int IDLE = 2;
    static final int FAILED = 3;

    final int index;
    final SocketChannel channel;
    SelectionKey key;
    int state = CONNECTING;
    int sentBytes;
    int echoedBytes;
    /** Exchanges completed: 1 once established, 2 once verified after the hold. */
    int exchanges;

    IdleClient(final int index, final SocketChannel channel)
    {
        this.index = index;
        this.channel = channel;
    }

    void startExchange()
    {
        state = EXCHANGING;
        sentBytes = 0;
        echoedBytes = 0;
    }
}
