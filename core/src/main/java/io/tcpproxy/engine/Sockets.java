package io.tcpproxy.engine;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * The engine's two ways of letting go of a socket.
 */
public final class Sockets
{
    private Sockets()
    {
    }

    /** Close, ignoring failure: nothing more can be done for this resource. */
    public static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // gone either way
            }
        }
    }

    /** Make the coming close send a reset (SO_LINGER 0), so the peer cannot take a cut stream for a whole one. */
    public static void resetOnClose(final SocketChannel channel)
    {
        if (channel != null && channel.isOpen())
        {
            try
            {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the socket is already gone; a plain close is all that is left
            }
        }
    }
}
