package io.tcpproxy.bench.jmh;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Bytes allocated per operation by named groups of threads, read from HotSpot's per-thread allocation counters.
 * JMH's {@code -prof gc} sums the allocation of every thread in the JVM; this splits it, so a benchmark can show
 * what the code under test allocates apart from its harness (echo server, client, background threads).
 * Used from one thread at iteration boundaries, not during a measurement.
 */
final class ThreadAllocationMeter
{
    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
    private final String[] groupNames;
    private final long[][] threadIdsByGroup;
    private final long[] iterationStartBytes;
    private final long[] measuredBytes;
    private long iterationStartOps;
    private long measuredOps;

    /**
     * @param groupNames       a label per group.
     * @param threadIdsByGroup the ids of each group's threads.
     */
    ThreadAllocationMeter(final String[] groupNames, final long[][] threadIdsByGroup)
    {
        if (groupNames.length != threadIdsByGroup.length)
        {
            throw new IllegalArgumentException("one name per group of thread ids");
        }
        this.groupNames = groupNames.clone();
        this.threadIdsByGroup = threadIdsByGroup.clone();
        this.iterationStartBytes = new long[groupNames.length];
        this.measuredBytes = new long[groupNames.length];
    }

    /**
     * @param ops operations done so far.
     */
    void startIteration(final long ops)
    {
        iterationStartOps = ops;
        for (int i = 0; i < groupNames.length; i++)
        {
            iterationStartBytes[i] = allocatedBytes(threadIdsByGroup[i]);
        }
    }

    /**
     * @param ops      operations done so far.
     * @param measured whether the iteration was a measurement (not a warm-up); only those go into the summary.
     * @return a line with each group's bytes per operation in this iteration.
     */
    String endIteration(final long ops, final boolean measured)
    {
        final long iterationOps = ops - iterationStartOps;
        final StringBuilder line = new StringBuilder(160).append("[alloc] ").append(iterationOps).append(" ops:");
        for (int i = 0; i < groupNames.length; i++)
        {
            final long bytes = allocatedBytes(threadIdsByGroup[i]) - iterationStartBytes[i];
            if (measured)
            {
                measuredBytes[i] += bytes;
            }
            appendGroup(line, i, bytes, iterationOps);
        }
        if (measured)
        {
            measuredOps += iterationOps;
        }
        return line.toString();
    }

    /**
     * @return a line with each group's bytes per operation over all measurement iterations.
     */
    String summary()
    {
        final StringBuilder line = new StringBuilder(160)
            .append("[alloc] measurement total, ").append(measuredOps).append(" ops:");
        for (int i = 0; i < groupNames.length; i++)
        {
            appendGroup(line, i, measuredBytes[i], measuredOps);
        }
        return line.toString();
    }

    private void appendGroup(final StringBuilder line, final int group, final long bytes, final long ops)
    {
        line.append(' ').append(groupNames[group]).append(' ').append(bytes).append(" B = ")
            .append(String.format(Locale.ROOT, "%.3f", ops == 0 ? 0.0 : (double)bytes / ops)).append(" B/op;");
    }

    private long allocatedBytes(final long[] threadIds)
    {
        long sum = 0;
        for (final long id : threadIds)
        {
            final long bytes = threads.getThreadAllocatedBytes(id);
            if (bytes > 0)
            {
                sum += bytes;
            }
        }
        return sum;
    }
}
