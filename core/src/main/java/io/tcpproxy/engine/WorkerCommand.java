package io.tcpproxy.engine;

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

    /** Never block in select again: the runner is about to stop the worker. */
    WorkerCommand STOP_BLOCKING = Worker::stopBlocking;
}
