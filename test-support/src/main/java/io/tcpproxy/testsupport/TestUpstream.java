package io.tcpproxy.testsupport;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server the proxy forwards to: a listener on loopback and one thread per accepted connection running a
 * {@link Handler}. The socket is closed when the handler returns. With no handler ({@link #holding()}), connections
 * are accepted and held without a thread (for thousands of idle ones). Errors thrown by handlers are kept for the
 * test to inspect rather than failing anything by themselves (some tests expect resets).
 */
public final class TestUpstream implements AutoCloseable
{
    private static final int BACKLOG = 4096;
    private static final long JOIN_TIMEOUT_MS = 5000;

    /**
     * What the upstream does with one accepted connection.
     */
    @FunctionalInterface
    public interface Handler
    {
        /**
         * @param socket the accepted connection, closed once this returns.
         * @throws Exception kept in {@link #errors()}.
         */
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket serverSocket;
    private final Handler handler;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile boolean closed;

    private TestUpstream(final Handler handler) throws IOException
    {
        this.handler = handler;
        this.serverSocket = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-upstream-acceptor");
        this.acceptor.setDaemon(true);
    }

    /**
     * @param handler what to do with each connection, on a thread of its own.
     * @return a started upstream.
     * @throws IOException if the listener cannot bind.
     */
    public static TestUpstream start(final Handler handler) throws IOException
    {
        final TestUpstream upstream = new TestUpstream(handler);
        upstream.acceptor.start();
        return upstream;
    }

    /**
     * Echo every byte back; forward the client's FIN once everything is echoed.
     *
     * @return a started upstream.
     * @throws IOException if the listener cannot bind.
     */
    public static TestUpstream echo() throws IOException
    {
        return start(TestUpstream::echo);
    }

    /**
     * Accept and hold every connection, no thread each, never reading.
     *
     * @return a started upstream.
     * @throws IOException if the listener cannot bind.
     */
    public static TestUpstream holding() throws IOException
    {
        return start(null);
    }

    /**
     * Echo every byte back, then pass the client's FIN on.
     *
     * @param socket the connection.
     * @throws IOException on a read or write error.
     */
    public static void echo(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final OutputStream out = socket.getOutputStream();
        final byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            out.write(buffer, 0, read);
        }
        socket.shutdownOutput();
    }

    /**
     * Abort the connection: close with SO_LINGER 0 so the peer gets a RST.
     *
     * @param socket the connection.
     * @throws IOException if it cannot be closed.
     */
    public static void reset(final Socket socket) throws IOException
    {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** @return the listening port on loopback. */
    public int port()
    {
        return serverSocket.getLocalPort();
    }

    /** @return "127.0.0.1:port", for a target address. */
    public String address()
    {
        return "127.0.0.1:" + port();
    }

    /** @return connections accepted so far. */
    public int accepted()
    {
        return accepted.get();
    }

    /** @return connections whose handler has returned (and whose socket is closed). */
    public int finished()
    {
        return finished.get();
    }

    /** @return what the handlers threw (and accept errors), in order. */
    public List<Throwable> errors()
    {
        return new ArrayList<>(errors);
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = serverSocket.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    errors.add(ex);
                }
                return;
            }
            final int number = accepted.incrementAndGet();
            sockets.add(socket);
            if (handler == null)
            {
                continue;
            }
            final Thread thread = new Thread(null, () -> serve(socket), "test-upstream-" + number, 256 * 1024);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void serve(final Socket socket)
    {
        try
        {
            socket.setTcpNoDelay(true);
            handler.handle(socket);
        }
        catch (final SocketException ex)
        {
            if (!closed)
            {
                errors.add(ex);
            }
        }
        catch (final Throwable ex)
        {
            errors.add(ex);
        }
        finally
        {
            CloseHelper.quietClose(socket);
            sockets.remove(socket);
            finished.incrementAndGet();
            threads.remove(Thread.currentThread());
        }
    }

    /** As a killed process with unread data: the listener goes and every open connection is reset. */
    public void kill()
    {
        closed = true;
        CloseHelper.quietClose(serverSocket);
        for (final Socket socket : sockets)
        {
            try
            {
                reset(socket);
            }
            catch (final IOException ignore)
            {
                // already closed by its handler
            }
        }
    }

    /** Close the listener and every connection; wait a few seconds for the handler threads. */
    public void close()
    {
        closed = true;
        CloseHelper.quietClose(serverSocket);
        for (final Socket socket : sockets)
        {
            CloseHelper.quietClose(socket);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
        try
        {
            acceptor.join(JOIN_TIMEOUT_MS);
            for (final Thread thread : threads)
            {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
