package io.tcpproxy.engine;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.lang.invoke.VarHandle;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A worker's inbox: many threads offer {@link WorkerCommand}s, the worker applies them between polls. Offering wakes
 * the worker only when it may be blocked in select.
 */
public final class CommandQueue
{
    private static final int CAPACITY = 1024;
    private static final int MAX_PER_CYCLE = 64;
    private static final long FULL_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final ManyToOneConcurrentArrayQueue<WorkerCommand> queue = new ManyToOneConcurrentArrayQueue<>(CAPACITY);
    private final Selector selector;
    private final Poller poller;

    CommandQueue(final Selector selector, final Poller poller)
    {
        this.selector = selector;
        this.poller = poller;
    }

    /**
     * Queue a command; any thread.
     *
     * @return false when the queue is full.
     */
    boolean submit(final WorkerCommand command)
    {
        if (!queue.offer(command))
        {
            return false;
        }
        // StoreLoad between the queue's ordered store and reading the flag: the worker sets the flag, then looks at the
        // queue; without the fence both could miss the other and the command would wait for the select timeout.
        VarHandle.fullFence();
        poller.wakeIfAsleep();
        return true;
    }

    /** Queue a command that must not be lost, waiting while the queue is full (never from a worker thread). */
    public void submitAndWake(final WorkerCommand command, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!submit(command) && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(FULL_RETRY_NS);
        }
        selector.wakeup();
    }

    boolean isEmpty()
    {
        return queue.isEmpty();
    }

    /** @return commands applied, a bounded number per duty cycle. */
    int drain(final Consumer<WorkerCommand> handler)
    {
        return queue.drain(handler, MAX_PER_CYCLE);
    }

    /** @return the next command, or null. */
    WorkerCommand poll()
    {
        return queue.poll();
    }
}
