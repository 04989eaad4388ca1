package io.tcpproxy.http;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Accepts clients up to the connection cap, sheds one at the cap ({@link HttpConnections#shedLeastRecentlyActive})
 * or refuses with a 429, and pauses accepting for a moment when accept fails (EMFILE). Owned by the responder
 * thread.
 */
final class HttpAcceptor
{
    private static final int ACCEPTS_PER_WAKEUP = 64;
    private static final byte[] TOO_MANY_CONNECTIONS = ResponseWriter.ascii(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\n" +
        "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n");

    private final ServerSocketChannel serverChannel;
    private final SelectionKey acceptKey;
    private final HttpLimits limits;
    private final HttpConnections connections;
    private final HttpExchanges exchanges;
    private final ResponderCounters counters;
    private final ByteBuffer tooManyConnections;

    private long acceptResumeNs;
    private boolean acceptPaused;

    HttpAcceptor(
        final ServerSocketChannel serverChannel,
        final SelectionKey acceptKey,
        final HttpLimits limits,
        final HttpConnections connections,
        final HttpExchanges exchanges,
        final ResponderCounters counters)
    {
        this.serverChannel = serverChannel;
        this.acceptKey = acceptKey;
        this.limits = limits;
        this.connections = connections;
        this.exchanges = exchanges;
        this.counters = counters;
        tooManyConnections = ByteBuffer.allocateDirect(TOO_MANY_CONNECTIONS.length);
        tooManyConnections.put(TOO_MANY_CONNECTIONS).flip();
    }

    /**
     * @param wakeNs when the responder would wake otherwise.
     * @return the earlier of that and the end of an accept pause.
     */
    long wakeNs(final long wakeNs)
    {
        return acceptPaused && acceptResumeNs - wakeNs < 0 ? acceptResumeNs : wakeNs;
    }

    void resumeIfDue(final long nowNs)
    {
        if (acceptPaused && nowNs - acceptResumeNs >= 0)
        {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    void onAcceptable()
    {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                // Typically EMFILE: the connection stays in the backlog and OP_ACCEPT would fire forever.
                counters.acceptPauses++;
                acceptPaused = true;
                acceptResumeNs = System.nanoTime() + limits.acceptPauseNs();
                acceptKey.interestOps(0);
                return;
            }
            if (null == channel)
            {
                return;
            }

            if (!connections.isFull() || connections.shedLeastRecentlyActive())
            {
                final HttpConnection connection = connections.register(channel);
                if (null != connection)
                {
                    readAccepted(connection);
                }
            }
            else
            {
                refuse(channel);
            }
        }
    }

    /**
     * A client usually sends its request right after connecting: answer it now if it is already here, before more
     * accepts can push this connection towards the cap.
     */
    private void readAccepted(final HttpConnection connection)
    {
        try
        {
            exchanges.onReadable(connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors++;
            connections.close(connection);
        }
    }

    private void refuse(final SocketChannel channel)
    {
        counters.refusedConnections++;
        try
        {
            channel.configureBlocking(false);
            tooManyConnections.rewind();
            channel.write(tooManyConnections);
        }
        catch (final IOException ignore)
        {
        }
        finally
        {
            CloseHelper.quietClose(channel);
        }
    }
}
