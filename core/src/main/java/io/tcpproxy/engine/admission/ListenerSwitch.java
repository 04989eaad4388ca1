package io.tcpproxy.engine.admission;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.Worker;
import io.tcpproxy.engine.WorkerCommand;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The listeners in force and their replacement by a reload that changes {@code listen_addr}: the new set is bound
 * while the old one still accepts, handed to the workers through their command queues (each registers its new
 * listener, takes what waits in the old one's backlog, then lets the old one go), and only then is the old set
 * closed. Any thread; one replacement or close at a time.
 */
public final class ListenerSwitch
{
    private static final long HAND_OVER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long HAND_OVER_POLL_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private final Worker[] workers;
    private final EngineContext context;
    private final Object lock = new Object();
    private volatile ListenerSet inForce;
    private boolean closed;

    /**
     * @param initial        the listeners bound at start.
     * @param workers        the workers (filled in before any replacement).
     * @param context        for the acceptor of a new set (descriptor reservations, pause counts).
     */
    public ListenerSwitch(final ListenerSet initial, final Worker[] workers, final EngineContext context)
    {
        this.inForce = initial;
        this.workers = workers;
        this.context = context;
    }

    public InetSocketAddress localAddress()
    {
        return inForce.localAddress();
    }

    public void startAcceptor()
    {
        inForce.startAcceptor();
    }

    /**
     * @param address the new listen address.
     * @return the change, holding the new set bound (none when {@code address} is the one bound now).
     * @throws IOException (a {@link java.net.BindException}) when it cannot be bound; nothing stays open.
     */
    public ListenerChange bind(final HostPort address) throws IOException
    {
        final ListenerSet current = inForce;
        final InetSocketAddress resolved = address.resolve();
        if (current.localAddress().equals(resolved))
        {
            return new ListenerChange(this, current.localAddress(), null);
        }
        final ListenerSet fresh = ListenerSet.bind(address, current.mode(), workers.length);
        try
        {
            fresh.handOffTo(workers, context); // acceptor mode: its (not yet started) acceptor
        }
        catch (final IOException | RuntimeException ex)
        {
            fresh.close();
            throw ex;
        }
        return new ListenerChange(this, current.localAddress(), fresh);
    }

    /**
     * Serve from {@code fresh} and close the listeners in force; if accepting has stopped (shutdown), close
     * {@code fresh} instead.
     *
     * @return whether every worker confirmed the hand-over in time (one that did not takes it when it next runs);
     *     false when accepting had stopped.
     */
    boolean replace(final ListenerSet fresh)
    {
        synchronized (lock)
        {
            if (closed)
            {
                fresh.close();
                return false;
            }
            final ListenerSet old = inForce;
            final boolean confirmed = handOver(fresh);
            inForce = fresh;
            old.close(); // the workers have let theirs go already; the shared listener or the acceptor goes here
            return confirmed;
        }
    }

    private boolean handOver(final ListenerSet fresh)
    {
        if (fresh.mode() == AcceptMode.ACCEPTOR)
        {
            fresh.startAcceptor(); // acceptor mode: the new acceptor thread accepts before the old one stops
            return true;
        }
        final WorkerCommand.SwapListener[] commands = new WorkerCommand.SwapListener[workers.length];
        for (int i = 0; i < workers.length; i++)
        {
            commands[i] = new WorkerCommand.SwapListener(fresh.forWorker(i), fresh.workersOwnListeners());
            workers[i].commands().submitAndWake(commands[i], HAND_OVER_TIMEOUT_NS);
        }
        final long deadlineNs = System.nanoTime() + HAND_OVER_TIMEOUT_NS;
        boolean confirmed = true;
        for (final WorkerCommand.SwapListener command : commands)
        {
            while (!command.isDone() && System.nanoTime() - deadlineNs < 0)
            {
                LockSupport.parkNanos(HAND_OVER_POLL_NS);
            }
            confirmed &= command.isDone();
        }
        return confirmed;
    }

    /** Stop accepting for good: close the listeners in force (and any later replacement at once). */
    public void closeAll()
    {
        synchronized (lock)
        {
            closed = true;
            inForce.close();
        }
    }
}
