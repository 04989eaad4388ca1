package io.tcpproxy.bench.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ports on 127.0.0.1 for the processes the benchmarks start: a free one to hand out, and waiting until a process
 * that prints nothing when ready listens on one.
 */
public final class LoopbackPorts
{
    private LoopbackPorts()
    {
    }

    /**
     * @return a port on 127.0.0.1 that was free a moment ago.
     * @throws IOException when none can be bound.
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /**
     * @param port a port on 127.0.0.1.
     * @return true if it can be bound now.
     */
    public static boolean isFree(final int port)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Wait until a port on 127.0.0.1 accepts connections, for processes that print nothing when ready.
     *
     * @param child     the process that should listen on it.
     * @param port      the port.
     * @param timeoutNs how long to wait.
     * @throws IOException when it exits or the time runs out first.
     */
    public static void awaitListening(final ChildProcess child, final int port, final long timeoutNs)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            }
            catch (final IOException ex)
            {
                if (!child.isAlive())
                {
                    throw new IOException(child.name() + " exited before listening on port " + port +
                        "; its last output:\n" + child.tail(), ex);
                }
                if (System.nanoTime() > deadlineNs)
                {
                    throw new IOException(child.name() + " is not listening on port " + port + " after " +
                        TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s; its last output:\n" + child.tail(), ex);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }
}
