package io.tcpproxy.metrics;

/**
 * An immutable histogram with fixed bucket upper bounds in seconds, in the shape Prometheus exposes:
 * cumulative counts per upper bound, then {@code +Inf} which equals {@link #count()}.
 */
public final class HistogramSnapshot
{
    private final double[] upperBoundsSecs;
    private final long[] cumulativeCounts;
    private final long count;
    private final double sumSecs;

    /**
     * @param upperBoundsSecs  ascending bucket bounds (excluding +Inf).
     * @param cumulativeCounts observations less than or equal to each bound (same length as the bounds).
     * @param count            all observations (the +Inf bucket).
     * @param sumSecs          sum of all observations in seconds.
     */
    public HistogramSnapshot(
        final double[] upperBoundsSecs, final long[] cumulativeCounts, final long count, final double sumSecs)
    {
        if (upperBoundsSecs.length != cumulativeCounts.length)
        {
            throw new IllegalArgumentException("bounds and counts differ in length");
        }
        this.upperBoundsSecs = upperBoundsSecs.clone();
        this.cumulativeCounts = cumulativeCounts.clone();
        this.count = count;
        this.sumSecs = sumSecs;
    }

    /** @return number of finite buckets. */
    public int bucketCount()
    {
        return upperBoundsSecs.length;
    }

    /** @param i bucket index. @return the bucket's upper bound in seconds. */
    public double upperBoundSecs(final int i)
    {
        return upperBoundsSecs[i];
    }

    /** @param i bucket index. @return observations at or below the bucket's upper bound. */
    public long cumulativeCount(final int i)
    {
        return cumulativeCounts[i];
    }

    /** @return all observations. */
    public long count()
    {
        return count;
    }

    /** @return sum of the observations in seconds. */
    public double sumSecs()
    {
        return sumSecs;
    }
}
