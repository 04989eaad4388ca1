package io.tcpproxy.bench.loadgen;

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
 * A one-thread NIO echo server for tests, which can misbehave on purpose: flip a byte every N messages,
 * close each connection after some bytes, or stall everything once.
 */
public final class TestEchoServer implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final long corruptPeriodBytes;
    private final long closeAfterBytes;
    private final long stallAfterBytes;
    private final long stallNs;
    private final AtomicLong echoedBytes = new AtomicLong();
    private final AtomicLong corruptedBytes = new AtomicLong();
    private volatile boolean running = true;
    private boolean stalled;
    private boolean stallPending;

    private static final class Connection
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024).limit(0);
        long bytesIn;
        long nextCorruptOffset;
    }

    private TestEchoServer(
        final long corruptPeriodBytes, final long closeAfterBytes, final long stallAfterBytes, final long stallNs)
        throws IOException
    {
        this.corruptPeriodBytes = corruptPeriodBytes;
        this.closeAfterBytes = closeAfterBytes;
        this.stallAfterBytes = stallAfterBytes;
        this.stallNs = stallNs;
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "test-echo");
        thread.setDaemon(true);
        thread.start();
    }

    public static TestEchoServer echo() throws IOException
    {
        return new TestEchoServer(0, 0, 0, 0);
    }

    static TestEchoServer corruptingEvery(final int messages, final int messageBytes) throws IOException
    {
        return new TestEchoServer((long)messages * messageBytes, 0, 0, 0);
    }

    static TestEchoServer closingAfter(final long bytes) throws IOException
    {
        return new TestEchoServer(0, bytes, 0, 0);
    }

    static TestEchoServer stallingOnceAfter(final long bytes, final long stallMs) throws IOException
    {
        return new TestEchoServer(0, 0, bytes, TimeUnit.MILLISECONDS.toNanos(stallMs));
    }

    public InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    long echoedBytes()
    {
        return echoedBytes.get();
    }

    long corruptedBytes()
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
                final SocketChannel channel = server.accept();
                if (channel != null)
                {
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
                    final Connection connection = new Connection();
                    connection.nextCorruptOffset = corruptPeriodBytes - 1;
                    channel.register(selector, SelectionKey.OP_READ, connection);
                }
                return;
            }
            final SocketChannel channel = (SocketChannel)key.channel();
            final Connection connection = (Connection)key.attachment();
            if (key.isReadable())
            {
                final ByteBuffer buffer = connection.buffer;
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
                    key.interestOps(0);
                    return;
                }
            }
            flush(key, channel, connection.buffer);
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

    private void corrupt(final Connection connection, final int bytesRead)
    {
        if (corruptPeriodBytes <= 0)
        {
            return;
        }
        while (connection.nextCorruptOffset < connection.bytesIn + bytesRead)
        {
            final int index = (int)(connection.nextCorruptOffset - connection.bytesIn);
            connection.buffer.put(index, (byte)~connection.buffer.get(index));
            corruptedBytes.incrementAndGet();
            connection.nextCorruptOffset += corruptPeriodBytes;
        }
    }

    private static void flush(final SelectionKey key, final SocketChannel channel, final ByteBuffer buffer)
        throws IOException
    {
        channel.write(buffer);
        key.interestOps(buffer.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
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
                    final boolean pending = ((Connection)key.attachment()).buffer.hasRemaining();
                    key.interestOps(pending ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                }
            }
        }
    }
}
