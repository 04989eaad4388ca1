package io.tcpproxy.engine;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * How a worker waits for events: block in select (waking for commands only when it may be asleep), busy-poll for
 * a while after traffic, or never block (a runner's idle strategy waits instead).
 */
final class Poller
{
    private final Selector selector;
    private final WorkerClock clock;
    private final boolean blocking;
    private final long busyPollNs;
    private final AtomicBoolean mayBeAsleep = new AtomicBoolean();
    private boolean stopping;
    private boolean busyPolling;
    private long busyPollUntilNs;

    /**
     * @param blocking   block in select when idle (otherwise selectNow only).
     * @param busyPollNs how long to keep polling after an event before blocking again; 0 never.
     */
    Poller(final Selector selector, final WorkerClock clock, final boolean blocking, final long busyPollNs)
    {
        this.selector = selector;
        this.clock = clock;
        this.blocking = blocking;
        this.busyPollNs = busyPollNs;
    }

    /** Never block again (the runner is about to stop the worker). */
    void stopBlocking()
    {
        stopping = true;
    }

    /** Wake the worker if it may be blocked in select; called after queueing a command. */
    void wakeIfAsleep()
    {
        if (mayBeAsleep.get() && mayBeAsleep.compareAndSet(true, false))
        {
            selector.wakeup(); // only a worker that may be blocked in select needs the system call
        }
    }

    /**
     * @param keyHandler       handles each ready key.
     * @param commandsWaiting  whether commands wait (then select must not block).
     * @param timeoutMs        how long select may block.
     * @return keys handled.
     */
    int select(
        final Consumer<SelectionKey> keyHandler,
        final BooleanSupplier commandsWaiting,
        final LongSupplier timeoutMs) throws IOException
    {
        if (!blocking || stopping)
        {
            return selector.selectNow(keyHandler);
        }
        if (busyPolling)
        {
            // Busy polling: while events keep coming, the next one is picked up without the wake-up of a blocked
            // epoll_wait (an IPI and a context switch, the costliest part of a small round trip on a VM).
            final int selected = selector.selectNow(keyHandler);
            if (selected > 0)
            {
                busyPollUntilNs = clock.nowNs() + busyPollNs;
            }
            else if (clock.readSource() - busyPollUntilNs >= 0)
            {
                busyPolling = false;
            }
            else
            {
                Thread.onSpinWait();
            }
            return selected;
        }
        // Announce the sleep before the last look at the queue: a command after the look sees the flag and wakes us.
        mayBeAsleep.set(true);
        final int selected = commandsWaiting.getAsBoolean() ?
            selector.selectNow(keyHandler) : selector.select(keyHandler, timeoutMs.getAsLong());
        mayBeAsleep.set(false);
        if (selected > 0 && busyPollNs > 0)
        {
            busyPolling = true;
            busyPollUntilNs = clock.readSource() + busyPollNs;
        }
        return selected;
    }
}
