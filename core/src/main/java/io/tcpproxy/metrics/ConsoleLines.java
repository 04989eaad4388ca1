package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The console lines in the seed's shape ({@code [METRICS] ConnectionOpened ...}, the periodic summary), printed by
 * the collector thread.
 */
final class ConsoleLines
{
    private static final String PREFIX = "[METRICS] ";
    private static final long ACCEPT_PAUSE_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long REJECTION_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final RejectReason[] REJECT_REASONS = RejectReason.values();

    private final PrintStream console;
    private long lastAcceptPauseLogNs;
    private boolean acceptPauseLogged;
    private final long[] pendingRejections = new long[REJECT_REASONS.length];
    private long pendingRejectionCount;
    private long lastRejectionLogNs;
    private boolean rejectionLogged;
    private long lastSummaryUp;
    private long lastSummaryDown;

    ConsoleLines(final PrintStream console)
    {
        this.console = console;
    }

    void opened(final String endpoint, final long active, final long total)
    {
        console.println(PREFIX + "ConnectionOpened " + endpoint + " | active: " + active + ", total: " + total);
    }

    void connectFailed(final String endpoint, final CloseReason reason, final long elapsedNs)
    {
        console.println(PREFIX + "UpstreamConnectFailed " + endpoint + " | reason: " + reason.label() + " | after: " +
            formatDuration(elapsedNs));
    }

    void closed(
        final String endpoint, final long active, final CloseReason reason, final long up, final long down,
        final long durationNs)
    {
        console.println(PREFIX + "ConnectionClosed " + endpoint + " | active: " + active + " | reason: " +
            reason.label() + " | up: " + formatBytes(up) + " | down: " + formatBytes(down) + " | duration: " +
            formatDuration(durationNs));
    }

    /**
     * Clients refused at accept. A flood of them (a scan, a denied botnet) would print thousands of lines a second,
     * so the first after a quiet second prints at once and the rest are summed into at most one line a second, by
     * reason: {@code ConnectionRejected x120 | denied: 118, rate_limited: 2 | rejected: 5120}.
     */
    void rejected(final RejectReason reason, final long count, final long rejectedTotal, final long nowNs)
    {
        pendingRejections[reason.ordinal()] += count;
        pendingRejectionCount += count;
        if (!rejectionLogged || nowNs - lastRejectionLogNs >= REJECTION_LOG_INTERVAL_NS)
        {
            printRejections(rejectedTotal, nowNs);
        }
    }

    /** Print the rejections summed since the last line once a second has passed. */
    void rejectionsDue(final long rejectedTotal, final long nowNs)
    {
        if (pendingRejectionCount > 0 && nowNs - lastRejectionLogNs >= REJECTION_LOG_INTERVAL_NS)
        {
            printRejections(rejectedTotal, nowNs);
        }
    }

    /** Print the rejections summed since the last line now (the proxy stops). */
    void rejectionsPending(final long rejectedTotal)
    {
        printRejections(rejectedTotal, lastRejectionLogNs);
    }

    private void printRejections(final long rejectedTotal, final long nowNs)
    {
        if (pendingRejectionCount == 0)
        {
            return;
        }
        pendingRejectionCount = 0;
        long count = 0;
        final StringBuilder reasons = new StringBuilder();
        for (final RejectReason reason : REJECT_REASONS)
        {
            final long pending = pendingRejections[reason.ordinal()];
            if (pending > 0)
            {
                count += pending;
                reasons.append(reasons.length() == 0 ? "" : ", ").append(reason.label()).append(": ").append(pending);
                pendingRejections[reason.ordinal()] = 0;
            }
        }
        if (count > 0)
        {
            console.println(PREFIX + "ConnectionRejected x" + count + " | " + reasons + " | rejected: " +
                rejectedTotal);
            lastRejectionLogNs = nowNs;
            rejectionLogged = true;
        }
    }

    void acceptPaused(final long pauses, final long nowNs)
    {
        // While descriptors stay exhausted each worker pauses about ten times a second: one line a second is enough.
        if (!acceptPauseLogged || nowNs - lastAcceptPauseLogNs >= ACCEPT_PAUSE_LOG_INTERVAL_NS)
        {
            console.println("[WARN] accepting paused for 100ms: too many open files (raise `ulimit -n`) | pauses: " +
                pauses);
            lastAcceptPauseLogNs = nowNs;
            acceptPauseLogged = true;
        }
    }

    void byteProgress(final Collection<ConnectionEntry> connections)
    {
        for (final ConnectionEntry entry : connections)
        {
            bytes(entry);
        }
    }

    void bytes(final ConnectionEntry entry)
    {
        if (entry.up != entry.loggedUp)
        {
            console.println(PREFIX + entry.endpoint + " \u2191 " + (entry.up - entry.loggedUp) + " | total up: " +
                formatBytes(entry.up));
            entry.loggedUp = entry.up;
        }
        if (entry.down != entry.loggedDown)
        {
            console.println(PREFIX + entry.endpoint + " \u2193 " + (entry.down - entry.loggedDown) +
                " | total down: " + formatBytes(entry.down));
            entry.loggedDown = entry.down;
        }
    }

    void summary(
        final String label, final long active, final long total, final long up, final long down, final long intervalNs)
    {
        final double intervalSecs = Math.max(1e-9, intervalNs / 1e9);
        final long upRate = Math.round((up - lastSummaryUp) / intervalSecs);
        final long downRate = Math.round((down - lastSummaryDown) / intervalSecs);
        console.println(PREFIX + label + "active: " + active + " | total: " + total + " | up: " + formatBytes(up) +
            " | down: " + formatBytes(down) + " | rate up: " + formatBytes(upRate) + "/s, down: " +
            formatBytes(downRate) + "/s");
        lastSummaryUp = up;
        lastSummaryDown = down;
    }

    /**
     * Format a byte count the seed's way: {@code 512B}, {@code 1.0KB}, {@code 1.5MB}, {@code 2.0GB}.
     *
     * @param bytes to format.
     * @return the text.
     */
    static String formatBytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + "B";
        }
        if (bytes < 1024L * 1024)
        {
            return String.format(Locale.ROOT, "%.1fKB", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024)
        {
            return String.format(Locale.ROOT, "%.1fMB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1fGB", bytes / (1024.0 * 1024 * 1024));
    }

    static String formatDuration(final long ns)
    {
        if (ns < 1_000_000)
        {
            return (ns / 1000) + "us";
        }
        if (ns < 1_000_000_000)
        {
            return (ns / 1_000_000) + "ms";
        }
        return String.format(Locale.ROOT, "%.2fs", ns / 1e9);
    }
}
