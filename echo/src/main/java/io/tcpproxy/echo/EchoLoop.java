package io.tcpproxy.echo;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * One selector thread of the {@link EchoServer} and the connections it owns.
 */
final class EchoLoop implements Runnable
{
    private final Selector selector;
    private final int bufferBytes;
    private final EchoFilter filter;
    private final ByteBuffer readBuffer;
    private final ArrayDeque<ByteBuffer> spareBuffers = new ArrayDeque<>();
    private final Queue<SocketChannel> newChannels = new ConcurrentLinkedQueue<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private volatile boolean running = true;

    EchoLoop(final Selector selector, final int bufferBytes, final EchoFilter filter)
    {
        this.selector = selector;
        this.bufferBytes = bufferBytes;
        this.filter = filter;
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
                final EchoConnection connection = new EchoConnection(channel);
                connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            }
            catch (final IOException ex)
            {
                CloseHelper.quietClose(channel);
            }
        }
    }

    private void onReady(final SelectionKey key)
    {
        final EchoConnection connection = (EchoConnection)key.attachment();
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

    private void read(final EchoConnection connection) throws IOException
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
        final long offsetBytes = connection.bytesRead;
        connection.bytesRead += bytesRead;
        if (!filter.onRead(offsetBytes, buffer))
        {
            close(connection);
            return;
        }
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

    private void flush(final EchoConnection connection) throws IOException
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

    private void close(final EchoConnection connection)
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
        CloseHelper.quietClose(connection.channel);
    }

    private void closeAll()
    {
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                CloseHelper.quietClose(key.channel());
            }
            SocketChannel channel;
            while ((channel = newChannels.poll()) != null)
            {
                CloseHelper.quietClose(channel);
            }
            selector.selectNow();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        finally
        {
            CloseHelper.quietClose(selector);
        }
    }
}
