package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.upstream.UpstreamServer;

import java.nio.channels.SocketChannel;

/**
 * Something another thread asks a worker to do, applied on the worker's own thread between polls. The one way into
 * a worker: hand-offs, shutdown phases, and (next) routing-table swaps all travel as commands.
 */
interface WorkerCommand
{
    /** @param worker the worker applying the command, on its own thread. */
    void applyTo(Worker worker);

    /** A connection accepted elsewhere (the acceptor thread, or a peer balancing load) for this worker to serve. */
    final class HandOff implements WorkerCommand
    {
        private final SocketChannel channel;

        HandOff(final SocketChannel channel)
        {
            this.channel = channel;
        }

        public void applyTo(final Worker worker)
        {
            worker.admission().onHandedOff(channel);
        }

        /** Release what was never opened (the worker stopped first). */
        void discard()
        {
            Sockets.closeQuietly(channel);
        }
    }

    /** Move to a later shutdown phase; {@link #isDone()} turns true once the worker has. */
    final class ChangePhase implements WorkerCommand
    {
        private final int phase;
        private volatile boolean done;

        ChangePhase(final int phase)
        {
            this.phase = phase;
        }

        public void applyTo(final Worker worker)
        {
            worker.enterPhase(phase);
            done = true;
        }

        boolean isDone()
        {
            return done;
        }
    }

    /**
     * Serve new connections with another routing table (a reload); connections already admitted keep theirs.
     * {@link #isDone()} turns true once the worker has switched.
     */
    final class SwapRouting implements WorkerCommand
    {
        private final RoutingTable table;
        private volatile boolean done;

        SwapRouting(final RoutingTable table)
        {
            this.table = table;
        }

        public void applyTo(final Worker worker)
        {
            worker.admission().routing(table);
            done = true;
        }

        boolean isDone()
        {
            return done;
        }
    }

    /**
     * Copy one page of the worker's open connections (those with an id above {@code afterId}, the lowest ids first,
     * at most {@code limit}) for the admin API; {@link #isDone()} turns true once {@link #page()} is filled.
     */
    final class ListConnections implements WorkerCommand
    {
        private final long afterId;
        private final int limit;
        private volatile ConnectionInfo[] page;

        ListConnections(final long afterId, final int limit)
        {
            this.afterId = afterId;
            this.limit = limit;
        }

        public void applyTo(final Worker worker)
        {
            page = ConnectionView.page(worker, afterId, limit);
        }

        boolean isDone()
        {
            return page != null;
        }

        ConnectionInfo[] page()
        {
            return page;
        }
    }

    /**
     * Close every connection of the worker that is connected (or connecting) to one upstream server, with a reason
     * (the admin API's {@code disable}); each direction not finished ends with a reset, as for any cut.
     */
    final class CloseServerConnections implements WorkerCommand
    {
        private final UpstreamServer server;
        private final CloseReason reason;
        private volatile int closed = -1;

        CloseServerConnections(final UpstreamServer server, final CloseReason reason)
        {
            this.server = server;
            this.reason = reason;
        }

        public void applyTo(final Worker worker)
        {
            final ConnectionTable table = worker.table();
            int count = 0;
            for (int i = table.size() - 1; i >= 0; i--) // closing removes from the table
            {
                final Connection connection = table.at(i);
                if (connection.server == server && connection.state != Connection.CLOSED)
                {
                    worker.relay().close(connection, reason);
                    count++;
                }
            }
            closed = count;
        }

        /** @return connections closed, or -1 while the worker has not applied the command. */
        int closed()
        {
            return closed;
        }
    }

    /** Never block in select again: the runner is about to stop the worker. */
    WorkerCommand STOP_BLOCKING = Worker::stopBlocking;
}
