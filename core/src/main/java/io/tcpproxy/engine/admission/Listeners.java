package io.tcpproxy.engine.admission;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.config.HostPort;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Binding the listen address: one listener, or one per worker sharing the port with SO_REUSEPORT.
 */
public final class Listeners
{
    static final int BACKLOG = 4096;

    private Listeners()
    {
    }

    public static AcceptMode effectiveAcceptMode(final Config config, final PrintStream console)
        throws IOException
    {
        if (config.acceptMode() == AcceptMode.REUSE_PORT)
        {
            try (ServerSocketChannel probe = ServerSocketChannel.open())
            {
                if (!probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT))
                {
                    console.println("[WARN] SO_REUSEPORT is not supported here; using accept_mode = \"shared\"");
                    return AcceptMode.SHARED;
                }
            }
        }
        return config.acceptMode();
    }

    /**
     * Bind {@code count} listeners on the address, in exactly its family (an IPv4 address never opens a dual-stack
     * socket). More than one share the port with SO_REUSEPORT; the kernel would let another process of the same user
     * join such a group unnoticed, so a plain probe socket is bound first: it fails like any bind when someone else
     * holds the address, and while it is held only this process's listeners can join.
     */
    static List<ServerSocketChannel> bind(final HostPort listen, final int count) throws IOException
    {
        final List<ServerSocketChannel> bound = new ArrayList<>(count);
        InetSocketAddress address = listen.resolve();
        if (address.isUnresolved())
        {
            throw new BindException("cannot listen on " + listen + ": host name does not resolve");
        }
        final ProtocolFamily family = address.getAddress() instanceof Inet4Address ?
            StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        SocketChannel probe = null;
        try
        {
            if (count > 1)
            {
                probe = SocketChannel.open(family);
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
                probe.bind(address);
                address = (InetSocketAddress)probe.getLocalAddress(); // the port 0 asked for, fixed for the group
            }
            for (int i = 0; i < count; i++)
            {
                final ServerSocketChannel channel = ServerSocketChannel.open(family);
                bound.add(channel);
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
                if (count > 1)
                {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, Boolean.TRUE);
                }
                channel.bind(address, BACKLOG);
                if (i == 0)
                {
                    // the others must share the first one's port, also when port 0 asked for a free one
                    address = (InetSocketAddress)channel.getLocalAddress();
                }
            }
        }
        catch (final IOException ex)
        {
            for (final ServerSocketChannel channel : bound)
            {
                CloseHelper.quietClose(channel);
            }
            final BindException bindException = new BindException("cannot listen on " + listen + ": " + ex.getMessage());
            bindException.initCause(ex);
            throw bindException;
        }
        finally
        {
            CloseHelper.quietClose(probe);
        }
        return bound;
    }
}
