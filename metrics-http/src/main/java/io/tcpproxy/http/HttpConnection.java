package io.tcpproxy.http;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client of the responder. Owned by the responder thread; pooled, so its buffers outlive the socket.
 */
final class HttpConnection
{
    /** Request bytes received and not yet answered; its capacity is the request head limit. */
    final ByteBuffer in;
    /** The response being written, in read mode while {@link #writing}. */
    ByteBuffer out;

    SocketChannel channel;
    SelectionKey key;
    int index;
    int interestOps;
    int scannedTo;
    long deadlineNs;
    /** When it was accepted or last completed a request; the connection with the oldest is shed at the cap. */
    long progressNs;
    /** Position among the event-stream subscribers, or -1. */
    int streamIndex;
    long discardedBytes;
    /**
     * Has sent a byte (or its end of stream). Until then it may be a health check that has not had its turn to send
     * its request yet, so at the cap it is shed only when no connection that has been heard from can be.
     */
    boolean heardFrom;
    boolean writing;
    boolean closeAfterWrite;
    boolean inputClosed;
    boolean lingering;
    /** Carries a Server-Sent Events stream: no more requests are read, events are appended to {@link #out}. */
    boolean streaming;

    HttpConnection(final int maxHeadBytes, final int initialResponseBytes)
    {
        in = ByteBuffer.allocateDirect(maxHeadBytes);
        out = ByteBuffer.allocateDirect(initialResponseBytes);
    }

    void reset()
    {
        in.clear();
        out.clear();
        channel = null;
        key = null;
        index = -1;
        interestOps = 0;
        scannedTo = 0;
        deadlineNs = 0;
        progressNs = 0;
        streamIndex = -1;
        streaming = false;
        discardedBytes = 0;
        heardFrom = false;
        writing = false;
        closeAfterWrite = false;
        inputClosed = false;
        lingering = false;
    }
}
