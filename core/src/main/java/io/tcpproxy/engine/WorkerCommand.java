package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.engine.upstream.RemovedServerDrain;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.upstream.UpstreamServer;
import org.agrona.CloseHelper;

import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Something another thread asks a worker to do, applied on the worker's own thread between polls. The one way into
 * a worker: hand-offs, shutdown phases, and (next) routing-table swaps all travel as commands.
 */
public interface WorkerCommand
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
            CloseHelper.quietClose(channel);
        }
    }

    /**
     * A command another thread waits on: the worker's answer is published once it has applied the command.
     *
     * @param <A> what the worker answers; never null.
     */
    abstract class Answered<A> implements WorkerCommand
    {
        private volatile A answer;

        public final void applyTo(final Worker worker)
        {
            answer = answer(worker);
        }

        /** @return the answer, applied on the worker's own thread; never null. */
        abstract A answer(Worker worker);

        /** @return the worker's answer, or null while it has not applied the command. */
        final A answer()
        {
            return answer;
        }

        public final boolean isDone()
        {
            return answer != null;
        }
    }

    /** A command whose only answer is that the worker applied it: {@link #isDone()} turns true once it has. */
    abstract class Done extends Answered<Boolean>
    {
        final Boolean answer(final Worker worker)
        {
            apply(worker);
            return Boolean.TRUE;
        }

        /** @param worker the worker applying the command, on its own thread. */
        abstract void apply(Worker worker);
    }

    /** Move to a later shutdown phase; {@link #isDone()} turns true once the worker has. */
    final class ChangePhase extends Done
    {
        private final int phase;

        ChangePhase(final int phase)
        {
            this.phase = phase;
        }

        void apply(final Worker worker)
        {
            worker.enterPhase(phase);
        }
    }

    /**
     * Serve new connections with another routing table (a reload); connections already admitted keep theirs.
     * Connections to servers the reload removed get their drain deadline. {@link #isDone()} turns true once the
     * worker has switched.
     */
    final class SwapRouting extends Done
    {
        private final RoutingTable table;
        private final RemovedServerDrain drain;

        SwapRouting(final RoutingTable table, final RemovedServerDrain drain)
        {
            this.table = table;
            this.drain = drain;
        }

        void apply(final Worker worker)
        {
            worker.admission().routing(table);
            drain.apply(worker.table(), worker.timers(), worker.nowNs());
        }
    }

    /**
     * Accept from another listener (a reload changed {@code listen_addr}): the worker registers it, takes what waits
     * in the old one's backlog, then deregisters (and, if its own, closes) the old one. {@link #isDone()} turns true
     * once it has.
     */
    final class SwapListener extends Done
    {
        private final ServerSocketChannel listener;
        private final boolean owned;

        public SwapListener(final ServerSocketChannel listener, final boolean owned)
        {
            this.listener = listener;
            this.owned = owned;
        }

        void apply(final Worker worker)
        {
            worker.admission().swapListener(listener, owned);
        }
    }

    /**
     * Copy one page of the worker's open connections (those with an id above {@code afterId}, the lowest ids first,
     * at most {@code limit}) for the admin API.
     */
    final class ListConnections extends Answered<ConnectionInfo[]>
    {
        private final long afterId;
        private final int limit;

        ListConnections(final long afterId, final int limit)
        {
            this.afterId = afterId;
            this.limit = limit;
        }

        ConnectionInfo[] answer(final Worker worker)
        {
            return ConnectionView.page(worker, afterId, limit);
        }
    }

    /**
     * Close every connection of the worker that is connected (or connecting) to one upstream server, with a reason
     * (the admin API's {@code disable}); each direction not finished ends with a reset, as for any cut. Answers the
     * number of connections closed.
     */
    final class CloseServerConnections extends Answered<Integer>
    {
        private final UpstreamServer server;
        private final CloseReason reason;

        CloseServerConnections(final UpstreamServer server, final CloseReason reason)
        {
            this.server = server;
            this.reason = reason;
        }

        Integer answer(final Worker worker)
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
            return count;
        }
    }

    /** Never block in select again: the runner is about to stop the worker. */
    WorkerCommand STOP_BLOCKING = Worker::stopBlocking;
}
