package io.tcpproxy.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges a soak: the proxy's totals must equal what the clients counted, to the byte and the connection; its
 * descriptors must return to the idle baseline once the clients are gone; its RSS must not grow between the first
 * and the last third of the load beyond a bound (the JIT and the buffer pool settle early, a leak keeps growing).
 */
final class SoakVerdict
{
    /** RSS may grow this much plus {@link #RSS_SLACK_PERCENT} between the warm state and the end. */
    static final long RSS_SLACK_BYTES = 64L * 1024 * 1024;
    /** The part of the slack that scales with the heap the JVM has touched. */
    static final long RSS_SLACK_PERCENT = 10;
    /** Descriptors the proxy may hold above its idle baseline at the end (e.g. a lingering metrics scrape). */
    static final long FD_SLACK = 2;

    private SoakVerdict()
    {
    }

    /**
     * @param idle            the proxy before any load.
     * @param during          samples while the load ran, in order.
     * @param end             the proxy after every client closed and its totals settled.
     * @param clientBytesUp   payload bytes the clients wrote.
     * @param clientBytesDown payload bytes the clients read back.
     * @param clientConnections connections the clients opened.
     * @return the failures, empty when the soak passed.
     */
    static List<String> failures(
        final SoakSample idle,
        final List<SoakSample> during,
        final SoakSample end,
        final long clientBytesUp,
        final long clientBytesDown,
        final long clientConnections)
    {
        final List<String> failures = new ArrayList<>();
        if (end.bytesUpstream() - idle.bytesUpstream() != clientBytesUp)
        {
            failures.add("bytes_upstream grew by " + (end.bytesUpstream() - idle.bytesUpstream()) +
                " but the clients sent " + clientBytesUp);
        }
        if (end.bytesDownstream() - idle.bytesDownstream() != clientBytesDown)
        {
            failures.add("bytes_downstream grew by " + (end.bytesDownstream() - idle.bytesDownstream()) +
                " but the clients received " + clientBytesDown);
        }
        if (end.totalConnections() - idle.totalConnections() != clientConnections)
        {
            failures.add("total_connections grew by " + (end.totalConnections() - idle.totalConnections()) +
                " but the clients opened " + clientConnections);
        }
        if (end.activeConnections() != 0)
        {
            failures.add("active_connections is " + end.activeConnections() + " after every client closed");
        }
        if (end.openFds() > idle.openFds() + FD_SLACK)
        {
            failures.add("open descriptors grew from " + idle.openFds() + " (idle) to " + end.openFds() +
                " after every client closed");
        }
        final long warmRss = warmRss(during);
        final long slackBytes = RSS_SLACK_BYTES + warmRss * RSS_SLACK_PERCENT / 100;
        if (warmRss > 0 && end.rssBytes() > warmRss + slackBytes)
        {
            failures.add(String.format(Locale.ROOT, "RSS grew from %.1f MB (warm) to %.1f MB (end), more than %.1f MB",
                warmRss / 1e6, end.rssBytes() / 1e6, slackBytes / 1e6));
        }
        return failures;
    }

    /**
     * @return the largest RSS of the first third of the samples, 0 when there are none.
     */
    static long warmRss(final List<SoakSample> during)
    {
        long max = 0;
        for (int i = 0; i < Math.max(1, during.size() / 3) && i < during.size(); i++)
        {
            max = Math.max(max, during.get(i).rssBytes());
        }
        return max;
    }
}
