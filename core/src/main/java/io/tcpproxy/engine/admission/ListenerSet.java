package io.tcpproxy.engine.admission;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.Worker;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

/**
 * The listeners bound on one listen address in one accept mode: one per worker (reuse-port), one polled by every
 * worker (shared), or one behind the acceptor thread. Replaced whole when a reload changes {@code listen_addr}.
 */
public final class ListenerSet
{
    private final AcceptMode mode;
    private final List<ServerSocketChannel> channels;
    private final InetSocketAddress localAddress;
    private Acceptor acceptor;

    private ListenerSet(final AcceptMode mode, final List<ServerSocketChannel> channels)
        throws IOException
    {
        this.mode = mode;
        this.channels = channels;
        this.localAddress = (InetSocketAddress)channels.get(0).getLocalAddress();
    }

    /**
     * Bind the address (see {@link Listeners#bind}): a listener per worker in reuse-port mode, one otherwise.
     *
     * @param address     where to listen.
     * @param mode        the effective accept mode ({@link Listeners#effectiveAcceptMode}).
     * @param workerCount the workers.
     * @return the bound, not yet accepting, listeners.
     * @throws IOException (a {@link java.net.BindException}) when the address cannot be bound; nothing stays open.
     */
    public static ListenerSet bind(final HostPort address, final AcceptMode mode, final int workerCount)
        throws IOException
    {
        final List<ServerSocketChannel> channels =
            Listeners.bind(address, mode == AcceptMode.REUSE_PORT ? workerCount : 1);
        try
        {
            return new ListenerSet(mode, channels);
        }
        catch (final IOException | RuntimeException ex)
        {
            channels.forEach(CloseHelper::quietClose);
            throw ex;
        }
    }

    AcceptMode mode()
    {
        return mode;
    }

    /** @return the address bound (the real port when 0 was asked for). */
    InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /** @return the listener worker {@code index} polls, or null when the acceptor thread hands channels over. */
    public ServerSocketChannel forWorker(final int index)
    {
        switch (mode)
        {
            case REUSE_PORT:
                return channels.get(index);
            case SHARED:
                return channels.get(0);
            default:
                return null;
        }
    }

    /** @return whether each worker owns (and closes) its listener, rather than sharing one the engine closes. */
    public boolean workersOwnListeners()
    {
        return mode == AcceptMode.REUSE_PORT;
    }

    /**
     * In acceptor mode, make the acceptor that hands this set's channels to the workers; otherwise nothing.
     *
     * @param workers the workers.
     * @param context reserves each client's descriptors and counts the acceptor's pauses for lack of them.
     * @throws IOException when the listener cannot be made blocking.
     */
    public void handOffTo(final Worker[] workers, final EngineContext context) throws IOException
    {
        if (mode == AcceptMode.ACCEPTOR)
        {
            acceptor = new Acceptor(channels.get(0), workers, context);
        }
    }

    /** Start the acceptor thread, if there is one. */
    void startAcceptor()
    {
        if (acceptor != null)
        {
            acceptor.start();
        }
    }

    /** @return whether any listener of this set is still open. */
    boolean anyOpen()
    {
        for (final ServerSocketChannel channel : channels)
        {
            if (channel.isOpen())
            {
                return true;
            }
        }
        return false;
    }

    /** Stop the acceptor (if any) and close every listener: new connects to this address are refused. */
    void close()
    {
        if (acceptor != null)
        {
            acceptor.close();
        }
        for (final ServerSocketChannel channel : channels)
        {
            CloseHelper.quietClose(channel);
        }
    }
}
