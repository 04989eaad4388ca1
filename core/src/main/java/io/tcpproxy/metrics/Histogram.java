package io.tcpproxy.metrics;

/**
 * A fixed-bucket histogram of durations, owned by the collector thread.
 */
final class Histogram
{
    private final double[] upperBoundsSecs;
    private final long[] upperBoundsNs;
    private final long[] bucketCounts;
    private long count;
    private long sumNs;

    Histogram(final double... upperBoundsSecs)
    {
        this.upperBoundsSecs = upperBoundsSecs.clone();
        this.upperBoundsNs = new long[upperBoundsSecs.length];
        for (int i = 0; i < upperBoundsSecs.length; i++)
        {
            upperBoundsNs[i] = Math.round(upperBoundsSecs[i] * 1e9);
        }
        this.bucketCounts = new long[upperBoundsSecs.length];
    }

    void record(final long valueNs)
    {
        final long value = Math.max(0, valueNs);
        count++;
        sumNs += value;
        for (int i = 0; i < upperBoundsNs.length; i++)
        {
            if (value <= upperBoundsNs[i])
            {
                bucketCounts[i]++;
                return;
            }
        }
    }

    HistogramSnapshot snapshot()
    {
        final long[] cumulative = new long[bucketCounts.length];
        long running = 0;
        for (int i = 0; i < bucketCounts.length; i++)
        {
            running += bucketCounts[i];
            cumulative[i] = running;
        }
        return new HistogramSnapshot(upperBoundsSecs, cumulative, count, sumNs / 1e9);
    }
}
