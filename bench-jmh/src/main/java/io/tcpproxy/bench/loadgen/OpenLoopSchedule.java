package io.tcpproxy.bench.loadgen;

/**
 * When each request of an open-loop run is meant to start: the rate is spread evenly over all connections of all
 * workers, so request {@code k} of the connection with global index {@code i} is due at
 * {@code start + (k * totalConnections + i) * period}. A cursor walks one worker's connections in that order.
 */
final class OpenLoopSchedule
{
    private final LoadConnection[] connections;
    private final int totalConnections;
    private final double periodNs;
    private final long startNs;
    private int index;
    private long round;

    /**
     * @param connections      this worker's connections, in global index order.
     * @param totalConnections connections of all workers.
     * @param periodNs         time between two requests of the whole run (one over the rate).
     * @param startNs          when the run starts.
     */
    OpenLoopSchedule(
        final LoadConnection[] connections, final int totalConnections, final double periodNs, final long startNs)
    {
        this.connections = connections;
        this.totalConnections = totalConnections;
        this.periodNs = periodNs;
        this.startNs = startNs;
    }

    /** @return the connection of the next request in intended-time order. */
    LoadConnection next()
    {
        return connections[index];
    }

    /** @return when the next request is meant to start. */
    long nextNs()
    {
        return intendedNs(connections[index], round);
    }

    /** Move on to the request after {@link #next()}. */
    void advance()
    {
        if (++index == connections.length)
        {
            index = 0;
            round++;
        }
    }

    /**
     * @param connection one of the worker's connections.
     * @param k          the number of its request, from 0.
     * @return when that request is meant to start.
     */
    long intendedNs(final LoadConnection connection, final long k)
    {
        return startNs + (long)(((double)k * totalConnections + connection.globalIndex) * periodNs);
    }
}
