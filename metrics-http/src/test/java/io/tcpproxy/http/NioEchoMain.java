package io.tcpproxy.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * An echo server for thousands of connections on one thread, run in a child JVM by tests that need more sockets
 * than one process's descriptor limit holds. Prints {@code port N}, then echoes until its standard input closes.
 */
public final class NioEchoMain
{
    private NioEchoMain()
    {
    }

    /**
     * @param args unused.
     * @throws IOException if the listener cannot be bound.
     */
    public static void main(final String[] args) throws IOException
    {
        final Selector selector = Selector.open();
        final ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        System.out.println("port " + ((InetSocketAddress)server.getLocalAddress()).getPort());
        System.out.flush();
        final Thread watchdog = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    // wait for the parent to close our input (or die)
                }
            }
            catch (final IOException ignore)
            {
                // parent gone
            }
            Runtime.getRuntime().halt(0);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (true)
        {
            selector.select();
            final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
            while (keys.hasNext())
            {
                final SelectionKey key = keys.next();
                keys.remove();
                if (key.isAcceptable())
                {
                    for (SocketChannel channel = server.accept(); channel != null; channel = server.accept())
                    {
                        channel.configureBlocking(false);
                        channel.register(selector, SelectionKey.OP_READ);
                    }
                    continue;
                }
                final SocketChannel channel = (SocketChannel)key.channel();
                try
                {
                    buffer.clear();
                    final int n = channel.read(buffer);
                    if (n < 0)
                    {
                        key.cancel();
                        channel.close();
                        continue;
                    }
                    buffer.flip();
                    while (buffer.hasRemaining())
                    {
                        channel.write(buffer); // tests send a few bytes at a time: this never waits long
                    }
                }
                catch (final IOException ex)
                {
                    key.cancel();
                    channel.close();
                }
            }
        }
    }
}
