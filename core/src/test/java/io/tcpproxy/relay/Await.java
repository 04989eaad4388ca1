package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Waits for a condition by polling it until a deadline; the pause between polls is not synchronisation, the
 * condition is. Shared by the relay tests and the reliability battery.
 */
public final class Await
{
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final long POLL_INTERVAL_MS = 5;

    private Await()
    {
    }

    static void until(final String what, final BooleanSupplier condition)
    {
        until(what, condition, DEFAULT_TIMEOUT);
    }

    /**
     * Poll {@code condition} until it holds; fail the test after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled every few milliseconds.
     * @param timeout   how long to wait.
     */
    public static void until(final String what, final BooleanSupplier condition, final Duration timeout)
    {
        until(what, condition, timeout, () -> "");
    }

    /**
     * Poll {@code condition} until it holds; fail the test after {@code timeout}.
     *
     * @param what      the condition in words, for the failure message.
     * @param condition polled every few milliseconds.
     * @param timeout   how long to wait.
     * @param state     what to show on failure besides {@code what}.
     */
    public static void until(
        final String what, final BooleanSupplier condition, final Duration timeout, final Supplier<String> state)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                fail("timed out after " + timeout.toMillis() + " ms waiting for " + what + " " + state.get());
            }
            pause();
        }
    }

    /**
     * @return the first snapshot that satisfies the condition.
     */
    static MetricsSnapshot metrics(final Proxy proxy, final String what, final Predicate<MetricsSnapshot> condition)
    {
        return metrics(proxy, what, condition, DEFAULT_TIMEOUT);
    }

    /**
     * @param proxy     the proxy whose snapshots to poll.
     * @param what      the condition in words, for the failure message.
     * @param condition tested on each snapshot.
     * @param timeout   how long to wait.
     * @return the first snapshot that satisfies the condition.
     */
    public static MetricsSnapshot metrics(
        final Proxy proxy, final String what, final Predicate<MetricsSnapshot> condition, final Duration timeout)
    {
        final MetricsSnapshot[] last = new MetricsSnapshot[1];
        until(what, () -> condition.test(last[0] = proxy.metrics()), timeout, () -> describe(last[0]));
        return last[0];
    }

    /**
     * @return a snapshot with no active connection and {@code closes} closes in all.
     */
    static MetricsSnapshot closed(final Proxy proxy, final long closes)
    {
        return metrics(proxy, closes + " closed connections and none active",
            (s) -> s.activeConnections() == 0 && totalCloses(s) == closes);
    }

    /**
     * @param snapshot a snapshot.
     * @return closes for every reason, summed.
     */
    public static long totalCloses(final MetricsSnapshot snapshot)
    {
        long total = 0;
        for (final CloseReason reason : CloseReason.values())
        {
            total += snapshot.closes(reason);
        }
        return total;
    }

    /**
     * @param s a snapshot, or null.
     * @return its main counters on one line, for a failure message.
     */
    public static String describe(final MetricsSnapshot s)
    {
        if (s == null)
        {
            return "(no snapshot)";
        }
        final StringBuilder text = new StringBuilder()
            .append("[active=").append(s.activeConnections())
            .append(" total=").append(s.totalConnections())
            .append(" up=").append(s.bytesUpstream())
            .append(" down=").append(s.bytesDownstream())
            .append(" rejected=").append(s.rejectedConnections())
            .append(" ringFull=").append(s.ringFullCount())
            .append(" internalErrors=").append(s.internalErrors())
            .append(" buffer=").append(s.bufferBytesInUse()).append('/').append(s.bufferBytesLimit());
        for (final CloseReason reason : CloseReason.values())
        {
            if (s.closes(reason) != 0)
            {
                text.append(" closes.").append(reason.label()).append('=').append(s.closes(reason));
            }
            if (s.connectFailures(reason) != 0)
            {
                text.append(" connectFailures.").append(reason.label()).append('=')
                    .append(s.connectFailures(reason));
            }
        }
        return text.append(']').toString();
    }

    private static void pause()
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted while waiting");
        }
    }
}
