package io.tcpproxy.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for a condition by polling it until a deadline, for this module's tests; the pause between polls is not
 * synchronisation, the condition is.
 */
final class Await
{
    private Await()
    {
    }

    /**
     * @param what      the condition in words, for the failure message.
     * @param condition polled until it holds.
     * @param timeoutNs fail the test after this long.
     * @param pollMs    pause between polls (longer where a poll costs a request).
     */
    static void until(final String what, final BooleanSupplier condition, final long timeoutNs, final long pollMs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pollMs));
        }
    }
}
