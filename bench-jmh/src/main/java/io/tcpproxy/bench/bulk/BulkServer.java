package io.tcpproxy.bench.bulk;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The upstream of the bulk benchmark: NIO, one to a few selector threads, direct buffers, reads and writes of
 * {@link BulkProtocol#BLOCK_BYTES}, {@code TCP_NODELAY}. See {@link BulkProtocol} for what it does.
 */
public final class BulkServer implements AutoCloseable
{
    /** What the server prints once it listens, followed by {@code HOST:PORT}. */
    public static final String LISTENING_MARKER = "bulk server listening on ";

    private final ServerSocketChannel acceptor;
    private final BulkServerWorker[] workers;
    private final Thread[] threads;

    private BulkServer(final ServerSocketChannel acceptor, final BulkServerWorker[] workers)
    {
        this.acceptor = acceptor;
        this.workers = workers;
        this.threads = new Thread[workers.length];
    }

    /**
     * @param listen  where to listen; port 0 for any free port.
     * @param threads selector threads, at least 1.
     * @return the running server.
     * @throws IOException when it cannot listen.
     */
    public static BulkServer start(final InetSocketAddress listen, final int threads) throws IOException
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        final ServerSocketChannel acceptor = ServerSocketChannel.open();
        try
        {
            acceptor.bind(listen, 1024);
            acceptor.configureBlocking(false);
            final ByteBuffer pattern = BulkProtocol.newPatternBuffer();
            final BulkServerWorker[] workers = new BulkServerWorker[threads];
            for (int i = 0; i < threads; i++)
            {
                workers[i] = new BulkServerWorker(pattern);
            }
            workers[0].accept(acceptor, workers);
            final BulkServer server = new BulkServer(acceptor, workers);
            for (int i = 0; i < threads; i++)
            {
                final Thread thread = new Thread(workers[i], "bulk-server-" + i);
                thread.setDaemon(true);
                server.threads[i] = thread;
                thread.start();
            }
            return server;
        }
        catch (final IOException | RuntimeException ex)
        {
            acceptor.close();
            throw ex;
        }
    }

    /**
     * @return where it listens.
     * @throws IOException when the channel is closed.
     */
    public InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)acceptor.getLocalAddress();
    }

    /**
     * Wait until the server stops, which is never unless {@link #close()} is called from another thread.
     *
     * @throws InterruptedException when interrupted.
     */
    public void awaitStop() throws InterruptedException
    {
        for (final Thread thread : threads)
        {
            thread.join();
        }
    }

    /**
     * Stop listening, close every connection and stop the threads.
     */
    public void close()
    {
        for (final BulkServerWorker worker : workers)
        {
            worker.stop();
        }
        for (final Thread thread : threads)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        CloseHelper.quietClose(acceptor);
    }
}
