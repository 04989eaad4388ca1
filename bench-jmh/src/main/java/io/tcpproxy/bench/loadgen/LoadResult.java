package io.tcpproxy.bench.loadgen;

import org.HdrHistogram.Histogram;

/**
 * The outcome of one measurement.
 * <p>
 * Definitions:
 * <ul>
 *     <li>requests: requests started in the measured window (closed loop: written; open loop: scheduled).</li>
 *     <li>responses: of those, the ones whose full, correct echo came back; each is one latency sample.</li>
 *     <li>RPS: echoes completed inside the measured window per second of that window.</li>
 *     <li>throughput: payload bytes echoed back per second, one direction, in MB/s (10^6 bytes);
 *     the same number of bytes also went the other way.</li>
 *     <li>latency: closed loop from the first byte written; open loop from the intended send time, so a
 *     request delayed behind a stalled one counts its wait (coordinated omission corrected).</li>
 *     <li>errors: connect failures, resets (reset or close by the peer), mismatches (an echoed byte that
 *     differs from the one sent, or bytes nobody asked for), timeouts (no full reply within the timeout).
 *     Every error but a connect failure closes its connection.</li>
 * </ul>
 */
public final class LoadResult
{
    private static final double NS_PER_SECOND = 1_000_000_000.0;

    private final LoadSpec spec;
    private final long measuredNs;
    private final Histogram latencyNs;
    private final long requests;
    private final long completedInWindow;
    private final int connectionsOpened;
    private final long connectErrors;
    private final long resets;
    private final long mismatches;
    private final long timeouts;
    private final String connectFailure;

    LoadResult(
        final LoadSpec spec,
        final long measuredNs,
        final Histogram latencyNs,
        final long requests,
        final long completedInWindow,
        final int connectionsOpened,
        final long connectErrors,
        final long resets,
        final long mismatches,
        final long timeouts,
        final String connectFailure)
    {
        this.connectFailure = connectFailure;
        this.spec = spec;
        this.measuredNs = measuredNs;
        this.latencyNs = latencyNs;
        this.requests = requests;
        this.completedInWindow = completedInWindow;
        this.connectionsOpened = connectionsOpened;
        this.connectErrors = connectErrors;
        this.resets = resets;
        this.mismatches = mismatches;
        this.timeouts = timeouts;
    }

    /**
     * @return what was measured.
     */
    public LoadSpec spec()
    {
        return spec;
    }

    /**
     * @return length of the measured window.
     */
    public long measuredNs()
    {
        return measuredNs;
    }

    /**
     * @return latency samples in nanoseconds; do not modify.
     */
    public Histogram latencyNs()
    {
        return latencyNs;
    }

    /**
     * @return requests started in the measured window.
     */
    public long requests()
    {
        return requests;
    }

    /**
     * @return correct echoes of those requests, one latency sample each.
     */
    public long responses()
    {
        return latencyNs.getTotalCount();
    }

    /**
     * @return echoes completed inside the measured window.
     */
    public long completedInWindow()
    {
        return completedInWindow;
    }

    /**
     * @return connections that were established.
     */
    public int connectionsOpened()
    {
        return connectionsOpened;
    }

    /**
     * @return connections that could not be established in time.
     */
    public long connectErrors()
    {
        return connectErrors;
    }

    /**
     * @return connections reset or closed by the peer.
     */
    public long resets()
    {
        return resets;
    }

    /**
     * @return connections closed because an echo differed from what was sent.
     */
    public long mismatches()
    {
        return mismatches;
    }

    /**
     * @return requests with no full reply in time.
     */
    public long timeouts()
    {
        return timeouts;
    }

    /**
     * @return the first connect failure, e.g. {@code Connection refused}, or null when every connect succeeded.
     */
    public String connectFailure()
    {
        return connectFailure;
    }

    /**
     * @return all errors.
     */
    public long errors()
    {
        return connectErrors + resets + mismatches + timeouts;
    }

    /**
     * @return echoes per second in the measured window.
     */
    public double requestsPerSec()
    {
        return completedInWindow * NS_PER_SECOND / measuredNs;
    }

    /**
     * @return echoed payload, one direction, in 10^6 bytes per second.
     */
    public double throughputMbPerSec()
    {
        return requestsPerSec() * spec.messageBytes() / 1_000_000.0;
    }

    /**
     * @param percentile 0 to 100.
     * @return latency at that percentile in nanoseconds, 0 when there are no samples.
     */
    public long latencyAtPercentileNs(final double percentile)
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getValueAtPercentile(percentile);
    }

    /**
     * @return the largest latency sample in nanoseconds.
     */
    public long maxLatencyNs()
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMaxValue();
    }

    /**
     * @return the mean latency in nanoseconds.
     */
    public double meanLatencyNs()
    {
        return latencyNs.getTotalCount() == 0 ? 0 : latencyNs.getMean();
    }
}
