package io.tcpproxy.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The tests' one way to wait: poll a condition until it holds or a deadline passes. The pause between polls is not
 * synchronisation, the condition is. A timeout fails the test with an {@link AssertionError} naming the condition.
 */
public final class Await
{
    /** A deadline generous enough for a busy two-core machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_POLL = Duration.ofMillis(5);

    private Await()
    {
    }

    /**
     * Poll {@code condition} every few milliseconds until it holds; fail after {@link #DEFAULT_TIMEOUT}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     */
    public static void until(final String what, final BooleanSupplier condition)
    {
        until(what, condition, DEFAULT_TIMEOUT);
    }

    /**
     * Poll {@code condition} every few milliseconds until it holds; fail after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     * @param timeout   how long to wait.
     */
    public static void until(final String what, final BooleanSupplier condition, final Duration timeout)
    {
        until(what, condition, timeout, DEFAULT_POLL, () -> "");
    }

    /**
     * Poll {@code condition} every few milliseconds until it holds; fail after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     * @param timeout   how long to wait.
     * @param state     what to show on failure besides {@code what}, read once the time is up.
     */
    public static void until(
        final String what, final BooleanSupplier condition, final Duration timeout, final Supplier<String> state)
    {
        until(what, condition, timeout, DEFAULT_POLL, state);
    }

    /**
     * Poll {@code condition} until it holds; fail after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     * @param timeout   how long to wait.
     * @param poll      the pause between polls (longer where a poll costs a request).
     */
    public static void until(
        final String what, final BooleanSupplier condition, final Duration timeout, final Duration poll)
    {
        until(what, condition, timeout, poll, () -> "");
    }

    /**
     * Poll {@code condition} until it holds; fail after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     * @param timeout   how long to wait.
     * @param poll      the pause between polls.
     * @param state     what to show on failure besides {@code what}, read once the time is up.
     */
    public static void until(
        final String what,
        final BooleanSupplier condition,
        final Duration timeout,
        final Duration poll,
        final Supplier<String> state)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new AssertionError(
                    "timed out after " + timeout.toMillis() + " ms waiting for " + what + " " + state.get());
            }
            LockSupport.parkNanos(poll.toNanos());
            if (Thread.interrupted())
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
    }

    /**
     * Pause the test for a while, where the wait itself is the point (pacing a peer, letting a timer pass); to wait
     * for something, use {@link #until}.
     *
     * @param ms how long.
     */
    public static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while sleeping", ex);
        }
    }
}
