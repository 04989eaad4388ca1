package io.tcpproxy.cli;

import io.tcpproxy.engine.Threads;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A NIO echo server: one acceptor thread hands connections round-robin to selector threads; each selector thread
 * reads into one direct buffer it shares among its connections and writes the bytes straight back. Only a
 * connection whose write was partial holds a buffer of its own (taken from the thread's free list) and stops
 * reading until it is drained. EOF from the client is echoed as a shutdown of output once everything is sent.
 * Nothing is allocated per message.
 */
final class EchoServer implements AutoCloseable
{
    static final int DEFAULT_BUFFER_BYTES = 64 * 1024;
    static final int MAX_BUFFER_BYTES = 16 * 1024 * 1024;
    private static final int ACCEPT_BACKLOG = 4096;

    private final ServerSocketChannel serverChannel;
    private final EventLoop[] loops;
    private final Thread[] loopThreads;
    private final Thread acceptorThread;
    private volatile boolean running = true;

    private EchoServer(final ServerSocketChannel serverChannel, final int threads, final int bufferBytes)
        throws IOException
    {
        this.serverChannel = serverChannel;
        loops = new EventLoop[threads];
        loopThreads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            loops[i] = new EventLoop(Selector.open(), bufferBytes);
            loopThreads[i] = new Thread(loops[i], "echo-loop-" + i);
        }
        acceptorThread = new Thread(this::acceptLoop, "echo-acceptor");
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
    static EchoServer start(final InetSocketAddress bindAddress, final int threads, final int bufferBytes)
        throws IOException
    {
        final ServerSocketChannel serverChannel = ServerSocketChannel.open();
        final EchoServer server;
        try
        {
            serverChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            serverChannel.bind(bindAddress, ACCEPT_BACKLOG);
            server = new EchoServer(serverChannel, threads, bufferBytes);
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

    InetSocketAddress localAddress()
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
     * Stop accepting, close every connection and join every thread.
     */
    public void close()
    {
        running = false;
        try
        {
            serverChannel.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        for (final EventLoop loop : loops)
        {
            loop.stop();
        }
        Threads.joinUninterruptibly(acceptorThread);
        for (final Thread thread : loopThreads)
        {
            Threads.joinUninterruptibly(thread);
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

    /**
     * One selector thread and the connections it owns.
     */
    static final class EventLoop implements Runnable
    {
        private final Selector selector;
        private final int bufferBytes;
        private final ByteBuffer readBuffer;
        private final ArrayDeque<ByteBuffer> spareBuffers = new ArrayDeque<>();
        private final Queue<SocketChannel> newChannels = new ConcurrentLinkedQueue<>();
        private final Consumer<SelectionKey> onReady = this::onReady;
        private volatile boolean running = true;

        EventLoop(final Selector selector, final int bufferBytes)
        {
            this.selector = selector;
            this.bufferBytes = bufferBytes;
            readBuffer = ByteBuffer.allocateDirect(bufferBytes);
        }

        void register(final SocketChannel channel)
        {
            newChannels.offer(channel);
            selector.wakeup();
        }

        void stop()
        {
            running = false;
            selector.wakeup();
        }

        public void run()
        {
            try
            {
                while (running)
                {
                    selector.select(onReady);
                    registerNewChannels();
                }
            }
            catch (final IOException ex)
            {
                System.err.println("echo server: selector failed: " + ex);
            }
            finally
            {
                closeAll();
            }
        }

        private void registerNewChannels()
        {
            SocketChannel channel;
            while ((channel = newChannels.poll()) != null)
            {
                try
                {
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    final Connection connection = new Connection(channel);
                    connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
                }
                catch (final IOException ex)
                {
                    closeQuietly(channel);
                }
            }
        }

        private void onReady(final SelectionKey key)
        {
            final Connection connection = (Connection)key.attachment();
            try
            {
                if (!key.isValid())
                {
                    close(connection);
                }
                else if (connection.pending != null)
                {
                    if (key.isWritable())
                    {
                        flush(connection);
                    }
                }
                else if (key.isReadable())
                {
                    read(connection);
                }
            }
            catch (final IOException ex)
            {
                close(connection);
            }
        }

        private void read(final Connection connection) throws IOException
        {
            final SocketChannel channel = connection.channel;
            final ByteBuffer buffer = readBuffer;
            buffer.clear();
            final int bytesRead = channel.read(buffer);
            if (bytesRead < 0)
            {
                // nothing is pending (reading stops while it is), so the half-close can be echoed at once
                channel.shutdownOutput();
                close(connection);
                return;
            }
            if (bytesRead == 0)
            {
                return;
            }

            buffer.flip();
            channel.write(buffer);
            if (buffer.hasRemaining())
            {
                ByteBuffer pending = spareBuffers.pollFirst();
                if (pending == null)
                {
                    pending = ByteBuffer.allocateDirect(bufferBytes);
                }
                pending.clear();
                pending.put(buffer).flip();
                connection.pending = pending;
                connection.key.interestOps(SelectionKey.OP_WRITE);
            }
        }

        private void flush(final Connection connection) throws IOException
        {
            final ByteBuffer pending = connection.pending;
            connection.channel.write(pending);
            if (!pending.hasRemaining())
            {
                connection.pending = null;
                spareBuffers.addFirst(pending);
                connection.key.interestOps(SelectionKey.OP_READ);
            }
        }

        private void close(final Connection connection)
        {
            if (connection.key != null)
            {
                connection.key.cancel();
            }
            if (connection.pending != null)
            {
                spareBuffers.addFirst(connection.pending);
                connection.pending = null;
            }
            closeQuietly(connection.channel);
        }

        private void closeAll()
        {
            try
            {
                for (final SelectionKey key : selector.keys())
                {
                    closeQuietly(key.channel());
                }
                SocketChannel channel;
                while ((channel = newChannels.poll()) != null)
                {
                    closeQuietly(channel);
                }
                selector.selectNow();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
            finally
            {
                closeQuietly(selector);
            }
        }

        private static void closeQuietly(final AutoCloseable closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
                // nothing more to do for a channel being dropped
            }
        }
    }

    /**
     * A client connection; {@code pending} holds bytes not yet written back, and is null when there are none.
     */
    static final class Connection
    {
        final SocketChannel channel;
        SelectionKey key;
        ByteBuffer pending;

        Connection(final SocketChannel channel)
        {
            this.channel = channel;
        }
    }
}
