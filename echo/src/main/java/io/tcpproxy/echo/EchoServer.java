package io.tcpproxy.echo;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * A NIO echo server: one acceptor thread hands connections round-robin to selector threads; each selector thread
 * reads into one direct buffer it shares among its connections and writes the bytes straight back. Only a
 * connection whose write was partial holds a buffer of its own (taken from the thread's free list) and stops
 * reading until it is drained. EOF from the client is echoed as a shutdown of output once everything is sent.
 * Nothing is allocated per message. {@code tcp-proxy echo} runs it; the JMH benchmark relays to it; the tests wrap
 * it with an {@link EchoFilter} that misbehaves on request.
 */
public final class EchoServer implements AutoCloseable
{
    /** The most read at once unless told otherwise. */
    public static final int DEFAULT_BUFFER_BYTES = 64 * 1024;
    /** The largest read buffer {@code tcp-proxy echo} accepts. */
    public static final int MAX_BUFFER_BYTES = 16 * 1024 * 1024;
    /** How the names of the server's threads begin (acceptor and selector threads). */
    public static final String THREAD_NAME_PREFIX = "echo-";
    private static final int ACCEPT_BACKLOG = 4096;

    private final ServerSocketChannel serverChannel;
    private final EchoLoop[] loops;
    private final Thread[] loopThreads;
    private final Thread acceptorThread;
    private volatile boolean running = true;

    private EchoServer(
        final ServerSocketChannel serverChannel, final int threads, final int bufferBytes, final EchoFilter filter)
        throws IOException
    {
        this.serverChannel = serverChannel;
        loops = new EchoLoop[threads];
        loopThreads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            loops[i] = new EchoLoop(Selector.open(), bufferBytes, filter);
            loopThreads[i] = new Thread(loops[i], THREAD_NAME_PREFIX + "loop-" + i);
        }
        acceptorThread = new Thread(this::acceptLoop, THREAD_NAME_PREFIX + "acceptor");
    }

    /**
     * Bind and start serving.
     *
     * @param bindAddress where to listen; port 0 binds a free port.
     * @param threads     selector threads.
     * @param bufferBytes the most read at once.
     * @return the running server.
     * @throws IOException if the address cannot be bound.
     */
    public static EchoServer start(final InetSocketAddress bindAddress, final int threads, final int bufferBytes)
        throws IOException
    {
        return start(bindAddress, threads, bufferBytes, EchoFilter.NONE);
    }

    /**
     * Bind and start serving, passing every read through {@code filter} before it is echoed.
     *
     * @param bindAddress where to listen; port 0 binds a free port.
     * @param threads     selector threads.
     * @param bufferBytes the most read at once.
     * @param filter      sees each read first, on the connection's selector thread.
     * @return the running server.
     * @throws IOException if the address cannot be bound.
     */
    public static EchoServer start(
        final InetSocketAddress bindAddress, final int threads, final int bufferBytes, final EchoFilter filter)
        throws IOException
    {
        final ServerSocketChannel serverChannel = ServerSocketChannel.open();
        final EchoServer server;
        try
        {
            serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            serverChannel.bind(bindAddress, ACCEPT_BACKLOG);
            server = new EchoServer(serverChannel, threads, bufferBytes, filter);
        }
        catch (final IOException | RuntimeException ex)
        {
            serverChannel.close();
            throw ex;
        }
        for (final Thread thread : server.loopThreads)
        {
            thread.start();
        }
        server.acceptorThread.start();
        return server;
    }

    /**
     * @return the bound address.
     */
    public InetSocketAddress localAddress()
    {
        try
        {
            return (InetSocketAddress)serverChannel.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("echo server closed", ex);
        }
    }

    /**
     * Stop accepting, close every connection and wait for every thread to end (unless interrupted meanwhile).
     */
    public void close()
    {
        running = false;
        CloseHelper.quietClose(serverChannel);
        for (final EchoLoop loop : loops)
        {
            loop.stop();
        }
        try
        {
            acceptorThread.join();
            for (final Thread thread : loopThreads)
            {
                thread.join();
            }
        }
        catch (final InterruptedException ex)
        {
            // told to stop, the threads close what they own and end without this thread waiting for them
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop()
    {
        int next = 0;
        while (running)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                // e.g. EMFILE: the connection stays in the backlog; back off briefly instead of spinning on it
                System.err.println("echo server: accept failed: " + ex);
                parkBriefly();
                continue;
            }
            loops[next].register(channel);
            next = next + 1 == loops.length ? 0 : next + 1;
        }
    }

    private static void parkBriefly()
    {
        LockSupport.parkNanos(10_000_000L);
    }
}
