package io.tcpproxy.engine.admission;

import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.Worker;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code accept_mode = "acceptor"}: one thread blocks in {@code accept} on the only listener and hands each new
 * channel to the workers in turn through their bounded queues, waking a worker only when it may be asleep in
 * select. The alternative to one reuse-port listener per worker; kept so the two can be measured side by side.
 */
public final class Acceptor implements Runnable, AutoCloseable
{
    private static final long PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ServerSocketChannel listener;
    private final Worker[] workers;
    private final EngineContext context;
    private final AtomicLong pauses;
    private final Thread thread;
    private int nextWorker;
    private volatile boolean running = true;

    /**
     * @param listener a blocking listener, owned (and closed) by this acceptor.
     * @param workers  the workers to hand channels to.
     * @param context  reserves each client's descriptors before accepting it, and counts the times accepting paused
     *                 because descriptors ran out.
     */
    Acceptor(final ServerSocketChannel listener, final Worker[] workers, final EngineContext context)
        throws IOException
    {
        this.listener = listener;
        this.workers = workers.clone();
        this.context = context;
        this.pauses = context.acceptorPauses;
        listener.configureBlocking(true);
        this.thread = new Thread(this, "tcp-proxy-acceptor");
    }

    void start()
    {
        thread.start();
    }

    public void run()
    {
        while (running)
        {
            if (!context.reserveDescriptorsForOneMore(context.latestRouting().maxConnections))
            {
                pauses.incrementAndGet(); // the next client stays in the backlog until two descriptors are free
                LockSupport.parkNanos(PAUSE_NS);
                continue;
            }
            final SocketChannel channel;
            try
            {
                channel = listener.accept();
            }
            catch (final ClosedChannelException ex)
            {
                context.descriptors.release();
                return; // stopped accepting
            }
            catch (final IOException ex)
            {
                // out of descriptors: the connection stays in the backlog; wait instead of spinning on accept
                context.descriptors.release();
                pauses.incrementAndGet();
                LockSupport.parkNanos(PAUSE_NS);
                continue;
            }
            handOff(channel); // the reservation goes with it
        }
    }

    private void handOff(final SocketChannel channel)
    {
        for (int attempt = 0; attempt < workers.length; attempt++)
        {
            final Worker worker = workers[nextWorker];
            nextWorker = nextWorker + 1 == workers.length ? 0 : nextWorker + 1;
            if (worker.offer(channel))
            {
                return;
            }
        }
        context.descriptors.release();
        CloseHelper.quietClose(channel); // every worker's queue is full: shed the connection rather than block accepting
    }

    /** Stop accepting: closes the listener (new connects are refused) and joins the thread. */
    public void close()
    {
        running = false;
        CloseHelper.quietClose(listener);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
