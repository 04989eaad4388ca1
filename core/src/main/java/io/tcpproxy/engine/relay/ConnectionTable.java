package io.tcpproxy.engine.relay;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections a worker has open, and its load as its peers see it: connections open here plus those queued to
 * it and not yet opened.
 */
public final class ConnectionTable
{
    private final AtomicInteger assigned = new AtomicInteger();
    private Connection[] open = new Connection[64];
    private int openCount;

    /** @return connections open here or queued to this worker (read by other threads). */
    public int load()
    {
        return assigned.get();
    }

    /** A connection is on its way to this worker (accepted here, or about to be queued to it). */
    public void assign()
    {
        assigned.incrementAndGet();
    }

    /** A connection assigned here will never be opened (dropped, or its hand-off failed). */
    public void unassign()
    {
        assigned.decrementAndGet();
    }

    public void add(final Connection connection)
    {
        if (openCount == open.length)
        {
            open = Arrays.copyOf(open, openCount * 2);
        }
        connection.index = openCount;
        open[openCount++] = connection;
    }

    void remove(final Connection connection)
    {
        final int i = connection.index;
        if (i < 0)
        {
            return;
        }
        assigned.decrementAndGet();
        final Connection last = open[--openCount];
        open[i] = last;
        last.index = i;
        open[openCount] = null;
        connection.index = -1;
    }

    public int size()
    {
        return openCount;
    }

    /** @return the open connection at a position from 0 to {@link #size()} - 1 (positions change on removal). */
    public Connection at(final int position)
    {
        return open[position];
    }

    /** @return the most recently added open connection; only while {@link #size()} is above zero. */
    public Connection last()
    {
        return open[openCount - 1];
    }
}
