package io.tcpproxy.engine.admission;

import io.tcpproxy.engine.Engine;

import java.net.InetSocketAddress;

/**
 * A new listen address bound by a reload while the old one still accepts (see {@link Engine#bindListeners}): either
 * {@link #commit()} it, or {@link #close()} it to release it unused. One thread.
 */
public final class ListenerChange implements AutoCloseable
{
    private final ListenerSwitch listeners;
    private final InetSocketAddress oldAddress;
    private final InetSocketAddress newAddress;
    private final boolean moves;
    private ListenerSet fresh;

    ListenerChange(final ListenerSwitch listeners, final InetSocketAddress oldAddress, final ListenerSet fresh)
    {
        this.listeners = listeners;
        this.oldAddress = oldAddress;
        this.fresh = fresh;
        this.moves = fresh != null;
        this.newAddress = fresh == null ? oldAddress : fresh.localAddress();
    }

    /** @return whether committing moves the listeners (false when the new address is the one bound already). */
    public boolean movesListeners()
    {
        return moves;
    }

    /** @return the address bound before the change. */
    public InetSocketAddress oldAddress()
    {
        return oldAddress;
    }

    /** @return the address bound for the change (the real port when 0 was asked for); the old one if it moves none. */
    public InetSocketAddress newAddress()
    {
        return newAddress;
    }

    /**
     * Serve new connections from the new address, then close the old listeners: each worker registers its new
     * listener and takes what waits in the old one's backlog before it lets the old one go. Connections open stay.
     * Does nothing when the change moves no listener, or a second time.
     *
     * @return false when a worker did not confirm within a few seconds (it takes the new listener when it next
     *     runs) or the proxy stopped accepting meanwhile (the new listeners are closed then); true otherwise.
     */
    public boolean commit()
    {
        final ListenerSet bound = fresh;
        fresh = null;
        return bound == null || listeners.replace(bound);
    }

    /** Release the new listeners unused, unless committed. */
    @Override
    public void close()
    {
        final ListenerSet bound = fresh;
        fresh = null;
        if (bound != null)
        {
            bound.close();
        }
    }
}
