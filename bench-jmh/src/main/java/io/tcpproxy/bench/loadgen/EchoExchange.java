package io.tcpproxy.bench.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The socket side of one request and its echoed reply on a {@link LoadConnection}: writing the request with
 * {@code OP_WRITE} set only while some of it is unsent, and reading the reply with its checks (no bytes before a
 * request, no more bytes than were sent, the same bytes back).
 */
final class EchoExchange
{
    /** Nothing to act on yet: part of the reply, or nothing. */
    static final int PENDING = 0;
    /** The whole reply is here and equals the request. */
    static final int REPLIED = 1;
    /** End of stream or an I/O error. */
    static final int RESET = 2;
    /** Bytes that were not sent, or not the ones sent. */
    static final int MISMATCH = 3;

    private EchoExchange()
    {
    }

    /**
     * @return false when the write failed (the connection is lost).
     */
    static boolean write(final LoadConnection connection)
    {
        try
        {
            connection.channel.write(connection.request);
            final int interestOps = connection.key.interestOps();
            if (connection.request.hasRemaining())
            {
                if ((interestOps & SelectionKey.OP_WRITE) == 0)
                {
                    connection.key.interestOps(interestOps | SelectionKey.OP_WRITE);
                }
            }
            else if ((interestOps & SelectionKey.OP_WRITE) != 0)
            {
                connection.key.interestOps(interestOps & ~SelectionKey.OP_WRITE);
            }
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * @param scratch where bytes that arrive while no reply is awaited are read to.
     * @return {@link #PENDING}, {@link #REPLIED}, {@link #RESET} or {@link #MISMATCH}.
     */
    static int read(final LoadConnection connection, final ByteBuffer scratch)
    {
        try
        {
            if (!connection.awaitingReply)
            {
                scratch.clear();
                final int bytesRead = connection.channel.read(scratch);
                return bytesRead < 0 ? RESET : bytesRead > 0 ? MISMATCH : PENDING;
            }

            final ByteBuffer reply = connection.reply;
            if (connection.channel.read(reply) < 0)
            {
                return RESET;
            }
            if (reply.position() > connection.request.position())
            {
                // the echo returned bytes that were never sent
                return MISMATCH;
            }
            if (reply.hasRemaining())
            {
                return PENDING;
            }
        }
        catch (final IOException ex)
        {
            return RESET;
        }
        final ByteBuffer reply = connection.reply;
        final ByteBuffer request = connection.request;
        reply.flip();
        request.clear();
        return reply.mismatch(request) == -1 ? REPLIED : MISMATCH;
    }
}
