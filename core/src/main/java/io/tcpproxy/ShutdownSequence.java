package io.tcpproxy;

import io.tcpproxy.engine.Engine;
import io.tcpproxy.metrics.MetricsEndpoint;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The graceful stop behind {@link Proxy#shutdown(Duration)}: stop accepting, wait out the grace period (printing a
 * countdown), close what is left, stop the engine and the metrics endpoint. The first caller runs it; a later caller
 * may only shorten the grace period, and waits for the end. Any thread.
 */
final class ShutdownSequence
{
    private static final long COUNTDOWN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long DRAIN_POLL_MS = 5;
    private static final String PREFIX = "[SHUTDOWN] ";

    private final Engine engine;
    /** The metrics endpoint, or null when {@code metrics_addr} is empty. */
    private final MetricsEndpoint metricsEndpoint;
    private final PrintStream console;
    private final Object lock = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean shutdownStarted;
    private long deadlineNs;
    private boolean graceCutShort;

    ShutdownSequence(final Engine engine, final MetricsEndpoint metricsEndpoint, final PrintStream console)
    {
        this.engine = engine;
        this.metricsEndpoint = metricsEndpoint;
        this.console = console;
    }

    /** See {@link Proxy#shutdown(Duration)}. */
    void shutdown(final Duration grace)
    {
        final long graceNs = grace.isNegative() ? 0 : saturatedNanos(grace);
        final boolean owner;
        synchronized (lock)
        {
            final long newDeadlineNs = System.nanoTime() + graceNs;
            owner = !shutdownStarted;
            if (owner)
            {
                shutdownStarted = true;
                deadlineNs = newDeadlineNs;
            }
            else if (newDeadlineNs - deadlineNs < 0)
            {
                deadlineNs = newDeadlineNs;
                graceCutShort = true;
                lock.notifyAll();
            }
        }
        if (owner)
        {
            try
            {
                run(graceNs);
            }
            finally
            {
                stopped.countDown();
            }
        }
        else
        {
            awaitStoppedUninterruptibly();
        }
    }

    /** @return true once a shutdown has begun. */
    boolean started()
    {
        synchronized (lock)
        {
            return shutdownStarted;
        }
    }

    void awaitStopped() throws InterruptedException
    {
        stopped.await();
    }

    boolean awaitStopped(final Duration timeout) throws InterruptedException
    {
        return stopped.await(saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    private void run(final long graceNs)
    {
        awaitDrainingPublished();
        engine.stopAccepting();
        int active = engine.activeConnections();
        console.println(PREFIX + "stopped accepting; " + (graceNs > 0 ?
            "waiting up to " + formatSeconds(graceNs) + " for " + connections(active) : "no grace period"));
        long lastCountdownNs = System.nanoTime();
        while (true)
        {
            active = engine.activeConnections();
            if (active == 0)
            {
                console.println(PREFIX + "all connections closed");
                break;
            }
            final long nowNs = System.nanoTime();
            final long remainingNs;
            final boolean cutShort;
            synchronized (lock)
            {
                remainingNs = deadlineNs - nowNs;
                cutShort = graceCutShort;
            }
            if (remainingNs <= 0)
            {
                final String why = cutShort ? "grace period cut short: " : graceNs > 0 ? "grace period over: " : "";
                console.println(PREFIX + why + "closing " + connections(active));
                engine.closeAllConnections();
                break;
            }
            if (nowNs - lastCountdownNs >= COUNTDOWN_INTERVAL_NS)
            {
                lastCountdownNs = nowNs;
                console.println(PREFIX + "draining: " + connections(active) + " open, " + formatSeconds(remainingNs) +
                    " left");
            }
            synchronized (lock)
            {
                try
                {
                    lock.wait(Math.max(1, Math.min(DRAIN_POLL_MS, TimeUnit.NANOSECONDS.toMillis(remainingNs))));
                }
                catch (final InterruptedException ex)
                {
                    deadlineNs = System.nanoTime(); // an interrupted shutdown stops waiting, never hangs
                    Thread.currentThread().interrupt();
                }
            }
        }
        engine.stop(true);
        if (metricsEndpoint != null)
        {
            metricsEndpoint.close();
        }
        console.println(PREFIX + "stopped");
    }

    /**
     * Mark the metrics as draining and wait until the collector has published it, so that by the time the listeners
     * close (and the console says so) {@code /healthz} already answers 503.
     */
    private void awaitDrainingPublished()
    {
        engine.collector().draining();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!engine.collector().snapshot().draining() && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void awaitStoppedUninterruptibly()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                stopped.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static long saturatedNanos(final Duration duration)
    {
        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            return Long.MAX_VALUE / 2;
        }
    }

    private static String connections(final int count)
    {
        return count + (count == 1 ? " connection" : " connections");
    }

    private static String formatSeconds(final long ns)
    {
        final long secs = TimeUnit.NANOSECONDS.toSeconds(ns + 999_999_999L);
        return secs + "s";
    }
}
