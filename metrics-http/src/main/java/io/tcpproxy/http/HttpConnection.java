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
    long discardedBytes;
    boolean writing;
    boolean closeAfterWrite;
    boolean inputClosed;
    boolean lingering;

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
        discardedBytes = 0;
        writing = false;
        closeAfterWrite = false;
        inputClosed = false;
        lingering = false;
    }
}
