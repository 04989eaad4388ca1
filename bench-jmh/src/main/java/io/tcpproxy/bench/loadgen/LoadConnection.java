package io.tcpproxy.bench.loadgen;

import org.agrona.CloseHelper;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection of the generator, owned by one {@link LoadWorker}. At most one request is on the
 * wire at a time; in open loop, requests that fall due meanwhile wait in {@code scheduledRequests}.
 */
final class LoadConnection
{
    final int globalIndex;
    final long seed;
    final ByteBuffer request;
    final ByteBuffer reply;
    SocketChannel channel;
    SelectionKey key;
    boolean connecting;
    boolean open;
    boolean awaitingReply;
    boolean currentInWindow;
    long messageNumber;
    long requestStartNs;
    long requestWrittenNs;
    long scheduledRequests;
    long sentRequests;
    long inWindowOutstanding;

    LoadConnection(final int globalIndex, final long seed, final int messageBytes)
    {
        this.globalIndex = globalIndex;
        this.seed = seed;
        this.request = ByteBuffer.allocateDirect(messageBytes);
        this.reply = ByteBuffer.allocateDirect(messageBytes);
    }

    /** Close the socket if it is open; the worker is giving it up, so a failure to close changes nothing. */
    void closeChannel()
    {
        if (channel != null && channel.isOpen())
        {
            open = false;
            CloseHelper.quietClose(channel);
        }
    }
}
