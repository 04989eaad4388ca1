package io.tcpproxy.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tests' echo server for many connections: one NIO thread, one shared read buffer, a buffer of its own only for
 * a connection whose echo could not be written at once (so thousands of idle connections cost no memory). It can
 * misbehave on purpose: flip a byte every N bytes, close each connection after some bytes, or stall everything
 * once. For one thread per connection and handlers of your own, see {@link TestUpstream}.
 * <p>
 * Run as a program ({@link #main}) it serves in a child JVM, for tests that need more sockets than their own
 * process may hold: it prints {@code port N}, then echoes until its standard input closes.
 */
public final class EchoServer implements AutoCloseable
{
    private static final int BACKLOG = 4096;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final long corruptPeriodBytes;
    private final long closeAfterBytes;
    private final long stallAfterBytes;
    private final long stallNs;
    private final AtomicLong echoedBytes = new AtomicLong();
    private final AtomicLong corruptedBytes = new AtomicLong();
    private volatile boolean running = true;
    private boolean stalled;
    private boolean stallPending;

    /**
     * One client: how much it has sent, and the echo not yet written back (null when there is none).
     */
    private static final class Connection
    {
        ByteBuffer pending;
        long bytesIn;
        long nextCorruptOffset;
    }

    private EchoServer(
        final long corruptPeriodBytes, final long closeAfterBytes, final long stallAfterBytes, final long stallNs)
        throws IOException
    {
        this.corruptPeriodBytes = corruptPeriodBytes;
        this.closeAfterBytes = closeAfterBytes;
        this.stallAfterBytes = stallAfterBytes;
        this.stallNs = stallNs;
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "test-echo");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * @return a started server that echoes every byte and closes when the client does.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer echo() throws IOException
    {
        return new EchoServer(0, 0, 0, 0);
    }

    /**
     * @param messages     flip one byte in every this many messages...
     * @param messageBytes ...of this size (the last byte of each period).
     * @return a started server that corrupts what it echoes.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer corruptingEvery(final int messages, final int messageBytes) throws IOException
    {
        return new EchoServer((long)messages * messageBytes, 0, 0, 0);
    }

    /**
     * @param bytes close a connection once it has sent this many bytes, without echoing the last read.
     * @return a started server.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer closingAfter(final long bytes) throws IOException
    {
        return new EchoServer(0, bytes, 0, 0);
    }

    /**
     * @param bytes   once this many bytes are echoed in all, stop serving everyone...
     * @param stallMs ...for this long (like a GC pause), once.
     * @return a started server.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer stallingOnceAfter(final long bytes, final long stallMs) throws IOException
    {
        return new EchoServer(0, 0, bytes, TimeUnit.MILLISECONDS.toNanos(stallMs));
    }

    /**
     * Serve in this JVM until standard input closes; print {@code port N} first.
     *
     * @param args unused.
     * @throws IOException if the listener cannot bind.
     */
    public static void main(final String[] args) throws IOException
    {
        try (EchoServer server = echo())
        {
            System.out.println("port " + server.address().getPort());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // wait for the parent to close our input (or die)
            }
        }
    }

    /**
     * @return the bound loopback address.
     * @throws IOException if the listener is closed.
     */
    public InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    /** @return bytes read and echoed (or queued to echo) so far, over all connections. */
    public long echoedBytes()
    {
        return echoedBytes.get();
    }

    /** @return bytes flipped on purpose so far. */
    public long corruptedBytes()
    {
        return corruptedBytes.get();
    }

    @Override
    public void close() throws IOException
    {
        running = false;
        selector.wakeup();
        try
        {
            thread.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final SelectionKey key : selector.keys())
        {
            key.channel().close();
        }
        selector.close();
        server.close();
    }

    private void loop()
    {
        try
        {
            while (running)
            {
                selector.select(this::onReady, 100);
                if (stallPending)
                {
                    stallPending = false;
                    stall();
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private void onReady(final SelectionKey key)
    {
        try
        {
            if (key.isAcceptable())
            {
                accept();
                return;
            }
            final SocketChannel channel = (SocketChannel)key.channel();
            final Connection connection = (Connection)key.attachment();
            if (connection.pending != null)
            {
                flush(key, channel, connection);
            }
            else if (key.isReadable())
            {
                read(key, channel, connection);
            }
        }
        catch (final IOException ex)
        {
            key.cancel();
            try
            {
                key.channel().close();
            }
            catch (final IOException ignore)
            {
                // already broken
            }
        }
    }

    private void accept() throws IOException
    {
        for (SocketChannel channel = server.accept(); channel != null; channel = server.accept())
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final Connection connection = new Connection();
            connection.nextCorruptOffset = corruptPeriodBytes - 1;
            channel.register(selector, SelectionKey.OP_READ, connection);
        }
    }

    private void read(final SelectionKey key, final SocketChannel channel, final Connection connection)
        throws IOException
    {
        final ByteBuffer buffer = readBuffer;
        buffer.clear();
        final int bytesRead = channel.read(buffer);
        if (bytesRead < 0)
        {
            channel.close();
            return;
        }
        corrupt(connection, bytesRead);
        connection.bytesIn += bytesRead;
        if (closeAfterBytes > 0 && connection.bytesIn >= closeAfterBytes)
        {
            channel.close();
            return;
        }
        buffer.flip();
        echoedBytes.addAndGet(bytesRead);
        if (stallAfterBytes > 0 && !stalled && echoedBytes.get() >= stallAfterBytes)
        {
            stalled = true;
            stallPending = true;
            keep(connection, buffer);
            key.interestOps(0);
            return;
        }
        channel.write(buffer);
        if (buffer.hasRemaining())
        {
            keep(connection, buffer);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private static void keep(final Connection connection, final ByteBuffer unwritten)
    {
        connection.pending = ByteBuffer.allocateDirect(unwritten.remaining()).put(unwritten).flip();
    }

    private static void flush(final SelectionKey key, final SocketChannel channel, final Connection connection)
        throws IOException
    {
        channel.write(connection.pending);
        if (!connection.pending.hasRemaining())
        {
            connection.pending = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void corrupt(final Connection connection, final int bytesRead)
    {
        if (corruptPeriodBytes <= 0)
        {
            return;
        }
        while (connection.nextCorruptOffset < connection.bytesIn + bytesRead)
        {
            final int index = (int)(connection.nextCorruptOffset - connection.bytesIn);
            readBuffer.put(index, (byte)~readBuffer.get(index));
            corruptedBytes.incrementAndGet();
            connection.nextCorruptOffset += corruptPeriodBytes;
        }
    }

    /**
     * Stops serving everyone for {@code stallNs}: like a GC pause or a blocked worker of a proxy.
     */
    private void stall() throws IOException
    {
        final long untilNs = System.nanoTime() + stallNs;
        for (final SelectionKey key : selector.keys())
        {
            if (key.isValid())
            {
                key.interestOps(0);
            }
        }
        long remainingNs;
        while ((remainingNs = untilNs - System.nanoTime()) > 0)
        {
            selector.select(ignored -> {}, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
        }
        for (final SelectionKey key : selector.keys())
        {
            if (key.isValid())
            {
                if (key.channel() == server)
                {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
                else
                {
                    final boolean pending = ((Connection)key.attachment()).pending != null;
                    key.interestOps(pending ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                }
            }
        }
    }
}
