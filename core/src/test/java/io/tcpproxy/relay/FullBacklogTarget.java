package io.tcpproxy.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback address whose connects hang: a listener that never accepts, with its accept queue filled by raw
 * connections, so Linux drops further SYNs and a connect neither succeeds nor fails until the caller gives up.
 * (No network exists here, and addresses such as 10.255.255.1 are not reliably silent.)
 */
public final class FullBacklogTarget implements AutoCloseable
{
    private static final int MAX_FILLERS = 64;
    private static final long HANG_PROBE_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ServerSocket listener;
    private final List<SocketChannel> fillers = new ArrayList<>();

    /** Listens on loopback and fills the accept queue. */
    public FullBacklogTarget() throws IOException
    {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        try
        {
            fill();
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    private void fill() throws IOException
    {
        for (int i = 0; i < MAX_FILLERS; i++)
        {
            final SocketChannel channel = SocketChannel.open();
            fillers.add(channel);
            channel.configureBlocking(false);
            if (channel.connect(listener.getLocalSocketAddress()))
            {
                continue;
            }
            final long deadlineNs = System.nanoTime() + HANG_PROBE_NS;
            boolean connected = false;
            while (!connected && System.nanoTime() - deadlineNs < 0)
            {
                connected = channel.finishConnect();
                if (!connected)
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
            if (!connected)
            {
                return; // this connect hangs: the queue is full
            }
        }
        throw new IllegalStateException("the accept queue never filled after " + MAX_FILLERS + " connections");
    }

    /** @return host:port whose connects hang. */
    public String address()
    {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    public void close() throws IOException
    {
        for (final SocketChannel channel : fillers)
        {
            channel.close();
        }
        listener.close();
    }
}
