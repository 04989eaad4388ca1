package io.tcpproxy.bench.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The child processes of a command. They are stopped in reverse start order on {@link #close()}, and by a
 * shutdown hook if the JVM ends first (Ctrl+C), so none outlives the command.
 */
public final class Children implements AutoCloseable
{
    private final List<ChildProcess> processes = new ArrayList<>();
    private final Thread shutdownHook;
    private final CountDownLatch shutdownDone = new CountDownLatch(1);
    private volatile boolean shuttingDown;
    private Runnable afterStopOnSignal;

    /**
     * Registers the shutdown hook.
     */
    public Children()
    {
        shutdownHook = new Thread(this::onShutdown, "stop-children");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * @param child a started process to stop later.
     * @return the child.
     */
    public synchronized ChildProcess add(final ChildProcess child)
    {
        processes.add(child);
        return child;
    }

    /**
     * @param name a child's short name, e.g. {@code echo}, {@code proxy}, {@code haproxy}, {@code nginx}.
     * @return the newest child of that name, or null.
     */
    public synchronized ChildProcess named(final String name)
    {
        for (int i = processes.size() - 1; i >= 0; i--)
        {
            if (processes.get(i).name().equals(name))
            {
                return processes.get(i);
            }
        }
        return null;
    }

    /**
     * @param action run by the shutdown hook after the children are stopped (e.g. to print a last line).
     */
    public synchronized void afterStopOnSignal(final Runnable action)
    {
        this.afterStopOnSignal = action;
    }

    /**
     * Stop every child, newest first, and remove the shutdown hook.
     */
    public void close()
    {
        stopAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook is running or has run
        }
    }

    /**
     * @return true once the JVM is shutting down (Ctrl+C) and the children are being stopped.
     */
    public boolean isShuttingDown()
    {
        return shuttingDown;
    }

    /**
     * Wait until the shutdown hook has stopped the children; call only when {@link #isShuttingDown()}.
     *
     * @throws InterruptedException when interrupted.
     */
    public void awaitShutdown() throws InterruptedException
    {
        shutdownDone.await();
    }

    private void onShutdown()
    {
        shuttingDown = true;
        stopAll();
        shutdownDone.countDown();
        final Runnable action;
        synchronized (this)
        {
            action = afterStopOnSignal;
        }
        if (action != null)
        {
            action.run();
        }
    }

    private void stopAll()
    {
        final List<ChildProcess> toStop;
        synchronized (this)
        {
            toStop = new ArrayList<>(processes);
            processes.clear();
        }
        for (int i = toStop.size() - 1; i >= 0; i--)
        {
            toStop.get(i).close();
        }
    }
}
