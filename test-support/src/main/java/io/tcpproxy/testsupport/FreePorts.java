package io.tcpproxy.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port number for a peer that must be told its port in advance (HAProxy's and nginx's configs, a
 * reloaded {@code listen_addr}); everything else binds port 0 itself.
 */
public final class FreePorts
{
    private FreePorts()
    {
    }

    /**
     * @return a loopback port free a moment ago; the kernel hands ephemeral ports out at random, so another taker
     *     before the caller binds it is unlikely.
     * @throws IOException when no port can be bound.
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
