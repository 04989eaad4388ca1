package io.tcpproxy.bench.loadgen;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The selector of one {@link LoadWorker}: waits for events until a time finer than select's milliseconds without
 * spinning a core, and frees the descriptors of closed channels when it closes.
 */
final class WorkerSelector implements AutoCloseable
{
    private static final long NS_PER_MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final Selector selector;
    private final Consumer<SelectionKey> onReady;

    WorkerSelector(final Consumer<SelectionKey> onReady) throws IOException
    {
        this.selector = Selector.open();
        this.onReady = onReady;
    }

    Selector selector()
    {
        return selector;
    }

    /**
     * Handle what is ready now, or wait up to {@code waitNs} for something to be.
     */
    void waitForEvents(final long waitNs) throws IOException
    {
        if (waitNs >= NS_PER_MS)
        {
            selector.select(onReady, waitNs / NS_PER_MS);
        }
        else if (selector.selectNow(onReady) == 0 && waitNs > 0)
        {
            // select cannot wait less than a millisecond; a short park keeps the schedule without spinning a core
            LockSupport.parkNanos(Math.min(waitNs, MAX_PARK_NS));
        }
    }

    /**
     * Close the selector once its channels are closed.
     */
    public void close()
    {
        try
        {
            // a closed registered channel frees its descriptor only at the next select
            selector.selectNow();
        }
        catch (final IOException ignore)
        {
            // shutting down
        }
        CloseHelper.quietClose(selector);
    }
}
