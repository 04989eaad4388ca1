package io.tcpproxy.engine;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * How the engine lets go of a socket with a reset (closing quietly is Agrona's {@code CloseHelper.quietClose}).
 */
public final class Sockets
{
    private Sockets()
    {
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
