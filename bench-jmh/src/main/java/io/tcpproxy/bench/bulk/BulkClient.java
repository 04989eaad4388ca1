package io.tcpproxy.bench.bulk;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The client of the bulk benchmark: one blocking thread per connection, direct buffers, writes and reads of
 * {@link BulkProtocol#BLOCK_BYTES}. All connections are opened first, then start together; the throughput is
 * all payload bytes over the time from the first connection's first byte to the last connection's last byte.
 */
public final class BulkClient
{
    private static final long JOIN_AFTER_ABORT_MS = 5_000;

    private BulkClient()
    {
    }

    /**
     * Move {@code bytesPerConnection} payload bytes over each of {@code connections} parallel connections.
     *
     * @param target             a bulk server, or a proxy in front of one.
     * @param direction          which way the bytes flow.
     * @param connections        parallel connections, at least 1.
     * @param bytesPerConnection payload bytes per connection.
     * @param timeoutNs          how long the whole transfer may take.
     * @return the bytes moved and the time taken.
     * @throws IOException          when a connection fails, a count or a sampled byte is wrong, or time runs out.
     * @throws InterruptedException when interrupted.
     */
    public static BulkResult run(
        final InetSocketAddress target,
        final Direction direction,
        final int connections,
        final long bytesPerConnection,
        final long timeoutNs) throws IOException, InterruptedException
    {
        if (connections < 1 || bytesPerConnection < 0)
        {
            throw new IllegalArgumentException("connections must be >= 1 and bytes >= 0");
        }
        final String where = target.getHostString() + ":" + target.getPort();
        final SocketChannel[] channels = new SocketChannel[connections];
        final Outcome outcome = new Outcome(channels, connections);
        final Thread[] threads = new Thread[connections];
        final BulkTransfer[] transfers = new BulkTransfer[connections];
        try
        {
            for (int i = 0; i < connections; i++)
            {
                final SocketChannel channel = SocketChannel.open();
                channels[i] = channel;
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                try
                {
                    channel.connect(target);
                }
                catch (final IOException ex)
                {
                    throw new IOException("cannot connect to " + where + ": " + ex.getMessage(), ex);
                }
            }
            final CountDownLatch startGate = new CountDownLatch(1);
            for (int i = 0; i < connections; i++)
            {
                transfers[i] = new BulkTransfer(i, channels[i], direction, bytesPerConnection, startGate, outcome);
                threads[i] = new Thread(transfers[i], "bulk-" + direction.label() + "-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            startGate.countDown();
            if (!outcome.await(timeoutNs))
            {
                outcome.failed(new IOException(direction.label() + " of " + connections + " x " + bytesPerConnection +
                    " bytes through " + where + " did not finish within " +
                    TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s"));
            }
        }
        finally
        {
            closeAll(channels);
            for (final Thread thread : threads)
            {
                if (thread != null)
                {
                    thread.join(JOIN_AFTER_ABORT_MS);
                }
            }
        }

        final IOException failure = outcome.failure();
        if (failure != null)
        {
            throw failure;
        }
        long firstStartNs = Long.MAX_VALUE;
        long lastEndNs = Long.MIN_VALUE;
        for (final BulkTransfer transfer : transfers)
        {
            firstStartNs = Math.min(firstStartNs, transfer.startNs());
            lastEndNs = Math.max(lastEndNs, transfer.endNs());
        }
        return new BulkResult(bytesPerConnection * connections, Math.max(1, lastEndNs - firstStartNs));
    }

    private static void closeAll(final SocketChannel[] channels)
    {
        for (final SocketChannel channel : channels)
        {
            if (channel != null)
            {
                CloseHelper.quietClose(channel);
            }
        }
    }

    /**
     * How the connections of one run end: the first failure wins and closes all connections, so the others stop
     * too instead of waiting for bytes that will not come.
     */
    static final class Outcome
    {
        private final SocketChannel[] channels;
        private final CountDownLatch done;
        private IOException failure;

        Outcome(final SocketChannel[] channels, final int connections)
        {
            this.channels = channels;
            this.done = new CountDownLatch(connections);
        }

        void succeeded()
        {
            done.countDown();
        }

        void failed(final IOException ex)
        {
            final boolean first;
            synchronized (this)
            {
                first = failure == null;
                if (first)
                {
                    failure = ex;
                }
            }
            if (first)
            {
                closeAll(channels);
            }
            done.countDown();
        }

        boolean await(final long timeoutNs) throws InterruptedException
        {
            return done.await(timeoutNs, TimeUnit.NANOSECONDS);
        }

        synchronized IOException failure()
        {
            return failure;
        }
    }
}
