package io.tcpproxy.bench.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * An echo server on 127.0.0.1 that allocates nothing per message, so JMH's {@code -prof gc} figure (which counts
 * every thread in the JVM) is not polluted by it: one blocking thread per connection, each echoing through its own
 * direct buffer with plain channel reads and writes. Fine for the few connections a benchmark opens.
 */
final class LoopbackEchoServer implements AutoCloseable
{
    static final String THREAD_NAME_PREFIX = "bench-echo-";

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long JOIN_TIMEOUT_MS = 5_000;

    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<SocketChannel> connections = new ArrayList<>();
    private final List<Thread> echoThreads = new ArrayList<>();

    LoopbackEchoServer() throws IOException
    {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, THREAD_NAME_PREFIX + "acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the bound address. */
    InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    /** @return ids of the threads echoing accepted connections. */
    long[] echoThreadIds()
    {
        synchronized (connections)
        {
            final long[] ids = new long[echoThreads.size()];
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = echoThreads.get(i).getId();
            }
            return ids;
        }
    }

    /** Stop accepting, close every connection and wait for the threads to end. */
    public void close() throws IOException
    {
        server.close();
        final List<Thread> threads = new ArrayList<>();
        synchronized (connections)
        {
            for (final SocketChannel connection : connections)
            {
                connection.close();
            }
            threads.addAll(echoThreads);
        }
        threads.add(acceptor);
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(JOIN_TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void acceptLoop()
    {
        try
        {
            while (true)
            {
                final SocketChannel connection = server.accept();
                connection.setOption(StandardSocketOptions.TCP_NODELAY, true);
                synchronized (connections)
                {
                    final Thread thread = new Thread(
                        () -> echo(connection), THREAD_NAME_PREFIX + echoThreads.size());
                    thread.setDaemon(true);
                    connections.add(connection);
                    echoThreads.add(thread);
                    thread.start();
                }
            }
        }
        catch (final ClosedChannelException ex)
        {
            // closed by close()
        }
        catch (final IOException ex)
        {
            System.err.println("[bench-echo] accept failed: " + ex);
        }
    }

    private static void echo(final SocketChannel connection)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try
        {
            while (connection.read(buffer) >= 0)
            {
                buffer.flip();
                while (buffer.hasRemaining())
                {
                    connection.write(buffer);
                }
                buffer.clear();
            }
        }
        catch (final IOException ex)
        {
            // the peer reset or close() closed the channel: this connection is done
        }
        finally
        {
            try
            {
                connection.close();
            }
            catch (final IOException ignore)
            {
                // nothing more to release
            }
        }
    }
}
