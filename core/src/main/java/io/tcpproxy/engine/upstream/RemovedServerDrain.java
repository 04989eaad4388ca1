package io.tcpproxy.engine.upstream;

import io.tcpproxy.engine.WorkerTimers;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.upstream.UpstreamServer;

import java.util.concurrent.TimeUnit;

/**
 * What a reload says about the connections to servers it removed ({@code removed_server_drain_secs}): with a
 * drain time, each such connection is closed (reason {@code server_removed}) once it has passed, at a deadline of
 * its own spread over the next {@link #MAX_SPREAD_NS} (or the drain time, if shorter) so that their clients do not
 * all reconnect at the same instant; with 0, they run until they end (a deadline an earlier reload set is
 * cancelled). Immutable; applied by each worker on its own thread, to its own connections.
 */
public final class RemovedServerDrain
{
    /** The close deadlines are spread over at most this long. */
    static final long MAX_SPREAD_NS = TimeUnit.SECONDS.toNanos(5);

    public static final RemovedServerDrain NONE = new RemovedServerDrain(new UpstreamServer[0], 0);

    private final UpstreamServer[] removed;
    private final long drainNs;
    private final long spreadNs;

    /**
     * @param removed every server removed by this or an earlier reload that may still have connections.
     * @param drainNs how long their connections may run on from now; 0 = until they end.
     */
    public RemovedServerDrain(final UpstreamServer[] removed, final long drainNs)
    {
        this.removed = removed.clone();
        this.drainNs = drainNs;
        this.spreadNs = Math.min(MAX_SPREAD_NS, drainNs);
    }

    /**
     * Worker thread: give each of the worker's connections to a removed server its deadline.
     *
     * @return the connections given one (or whose deadline was cancelled, with no drain time).
     */
    public int apply(final ConnectionTable table, final WorkerTimers timers, final long nowNs)
    {
        keepRevived(table, timers);
        if (removed.length == 0)
        {
            return 0;
        }
        int matching = 0;
        for (int i = 0; i < table.size(); i++)
        {
            matching += isRemoved(table.at(i)) ? 1 : 0;
        }
        int k = 0;
        for (int i = 0; i < table.size() && k < matching; i++)
        {
            final Connection connection = table.at(i);
            if (!isRemoved(connection))
            {
                continue;
            }
            if (drainNs == 0)
            {
                timers.cancelRemoval(connection);
            }
            else
            {
                timers.scheduleRemoval(connection, nowNs + drainNs + spreadNs * k / matching);
            }
            k++;
        }
        return matching;
    }

    /** Worker thread: a server a reload brought back takes its connections off the drain. */
    void keepRevived(final ConnectionTable table, final WorkerTimers timers)
    {
        for (int i = 0; i < table.size(); i++)
        {
            final Connection connection = table.at(i);
            if (connection.removalTimerId != Connection.NO_TIMER && !isRemoved(connection))
            {
                timers.cancelRemoval(connection);
            }
        }
    }

    private boolean isRemoved(final Connection connection)
    {
        if (connection.state == Connection.CLOSED || connection.server == null)
        {
            return false;
        }
        for (final UpstreamServer server : removed)
        {
            if (connection.server == server)
            {
                return true;
            }
        }
        return false;
    }
}
