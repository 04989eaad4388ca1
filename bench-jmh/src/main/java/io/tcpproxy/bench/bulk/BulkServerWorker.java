package io.tcpproxy.bench.bulk;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread of the {@link BulkServer}. The first worker also accepts, and hands connections to the
 * workers in turn.
 */
final class BulkServerWorker implements Runnable
{
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(BulkProtocol.BLOCK_BYTES);
    private final ByteBuffer pattern;
    private final Queue<SocketChannel> adopted = new ConcurrentLinkedQueue<>();
    private BulkServerWorker[] workers;
    private ServerSocketChannel acceptor;
    private int nextWorker;
    private volatile boolean running = true;

    BulkServerWorker(final ByteBuffer pattern) throws IOException
    {
        this.pattern = pattern;
        this.selector = Selector.open();
    }

    /**
     * Make this worker the acceptor; call before its thread starts.
     *
     * @param acceptor the listening channel, non-blocking.
     * @param workers  all workers, this one included.
     * @throws IOException when it cannot be registered.
     */
    void accept(final ServerSocketChannel acceptor, final BulkServerWorker[] workers) throws IOException
    {
        this.acceptor = acceptor;
        this.workers = workers;
        acceptor.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        try
        {
            while (running)
            {
                selector.select(this::onReady);
                registerAdopted();
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final ClosedSelectorException ex)
        {
            // stopped
        }
        finally
        {
            closeAll();
        }
    }

    void stop()
    {
        running = false;
        selector.wakeup();
    }

    private void adopt(final SocketChannel channel)
    {
        adopted.add(channel);
        selector.wakeup();
    }

    private void onReady(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        if (key.isAcceptable())
        {
            acceptAll();
            return;
        }
        ((BulkServerConnection)key.attachment()).onReady(key, readBuffer);
    }

    private void acceptAll()
    {
        try
        {
            SocketChannel channel;
            while ((channel = acceptor.accept()) != null)
            {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final BulkServerWorker worker = workers[nextWorker];
                nextWorker = (nextWorker + 1) % workers.length;
                worker.adopt(channel);
            }
        }
        catch (final IOException ex)
        {
            // a connection that failed while being accepted: the client sees it closed
        }
    }

    private void registerAdopted()
    {
        SocketChannel channel;
        while ((channel = adopted.poll()) != null)
        {
            final BulkServerConnection connection = new BulkServerConnection(channel, pattern);
            try
            {
                connection.register(channel.register(selector, SelectionKey.OP_READ, connection));
            }
            catch (final IOException ex)
            {
                connection.close();
            }
        }
    }

    private void closeAll()
    {
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                if (key.attachment() instanceof BulkServerConnection)
                {
                    ((BulkServerConnection)key.attachment()).close();
                }
            }
            selector.close();
        }
        catch (final IOException | ClosedSelectorException ignore)
        {
            // stopping anyway
        }
        SocketChannel channel;
        while ((channel = adopted.poll()) != null)
        {
            CloseHelper.quietClose(channel);
        }
    }
}
