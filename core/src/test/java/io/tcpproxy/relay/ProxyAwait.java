package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits on a proxy's metrics snapshots (polling through {@link Await}) and describes a snapshot for a failure
 * message. Shared by the relay tests and the reliability battery.
 */
public final class ProxyAwait
{
    private ProxyAwait()
    {
    }

    /**
     * @return the first snapshot that satisfies the condition.
     */
    static MetricsSnapshot metrics(final Proxy proxy, final String what, final Predicate<MetricsSnapshot> condition)
    {
        return metrics(proxy, what, condition, Await.DEFAULT_TIMEOUT);
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
        Await.until(what, () -> condition.test(last[0] = proxy.metrics()), timeout, () -> describe(last[0]));
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
}
