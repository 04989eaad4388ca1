package io.tcpproxy.metrics;

/**
 * The live value of one series, owned by the thread that counts (the collector). A counter's cell only goes up:
 * {@link #set} below its value throws, so a bug that would make a counter decrease fails loudly instead of making
 * Prometheus see a reset.
 */
public final class MetricCell
{
    private final MetricFamily family;
    private long value;
    private double doubleValue;
    private Histogram histogram;
    private HistogramSnapshot fixedHistogram;

    MetricCell(final MetricFamily family)
    {
        this.family = family;
        final double[] bounds = family.bucketBoundsSecs();
        if (null != bounds)
        {
            histogram = new Histogram(bounds);
        }
    }

    /** @param delta to add; must not be negative for a counter. */
    public void add(final long delta)
    {
        if (delta < 0 && family.type() == MetricFamily.Type.COUNTER)
        {
            throw new IllegalArgumentException(family.name() + " is a counter; it cannot go down by " + delta);
        }
        value += delta;
    }

    /** Add one. */
    public void increment()
    {
        value++;
    }

    /** @param newValue the value now; for a counter at least the current one. */
    public void set(final long newValue)
    {
        if (newValue < value && family.type() == MetricFamily.Type.COUNTER)
        {
            throw new IllegalArgumentException(
                family.name() + " is a counter; it cannot go from " + value + " down to " + newValue);
        }
        value = newValue;
    }

    /** @param newValue the value now, for a floating-point gauge. */
    public void setDouble(final double newValue)
    {
        doubleValue = newValue;
    }

    /** @param observedNs one observation of a histogram, in nanoseconds. */
    public void record(final long observedNs)
    {
        histogram.record(observedNs);
    }

    /** @param snapshot the whole histogram at once (for hand-built snapshots: tests and benchmarks). */
    public void setHistogram(final HistogramSnapshot snapshot)
    {
        fixedHistogram = snapshot;
    }

    /** @return the integer value. */
    public long value()
    {
        return value;
    }

    Sample sample(final java.util.List<String> labelValues)
    {
        final HistogramSnapshot h = null != fixedHistogram ? fixedHistogram :
            null == histogram ? null : histogram.snapshot();
        return new Sample(labelValues, value, doubleValue, h);
    }
}
