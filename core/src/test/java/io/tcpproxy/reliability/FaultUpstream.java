package io.tcpproxy.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server behind the proxy, misbehaving on demand: one thread per connection running a {@link Handler} (the
 * socket closes when it returns), or, with no handler, connections accepted and held without a thread (for
 * thousands of idle ones). Handler errors are kept, not thrown: several faults expect resets.
 */
final class FaultUpstream implements AutoCloseable
{
    /** What the server does with one connection. */
    @FunctionalInterface
    interface Handler
    {
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final Thread acceptor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private volatile boolean closed;

    private FaultUpstream(final Handler handler) throws IOException
    {
        this.handler = handler;
        this.server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fault-upstream-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    static FaultUpstream start(final Handler handler) throws IOException
    {
        return new FaultUpstream(handler);
    }

    /** Accept and hold every connection, no thread each, never reading. */
    static FaultUpstream holding() throws IOException
    {
        return new FaultUpstream(null);
    }

    static FaultUpstream echo() throws IOException
    {
        return new FaultUpstream(FaultUpstream::echo);
    }

    /** Echo every byte; pass the client's FIN on once everything is echoed. */
    static void echo(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final OutputStream out = socket.getOutputStream();
        final byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            out.write(buffer, 0, read);
        }
        socket.shutdownOutput();
    }

    int port()
    {
        return server.getLocalPort();
    }

    int accepted()
    {
        return accepted.get();
    }

    /** @return connections whose handler returned (socket closed). */
    int finished()
    {
        return finished.get();
    }

    List<Throwable> errors()
    {
        return new ArrayList<>(errors);
    }

    /** As a killed process with unread data: the listener goes and every open connection is reset. */
    void kill() throws IOException
    {
        closed = true;
        server.close();
        for (final Socket socket : sockets)
        {
            try
            {
                Battery.reset(socket);
            }
            catch (final IOException ignore)
            {
                // already closed by its handler
            }
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = server.accept();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    errors.add(ex);
                }
                return;
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            if (handler == null)
            {
                continue;
            }
            final Thread thread = new Thread(null, () -> serve(socket), "fault-upstream", 256 * 1024);
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
        catch (final Throwable ex)
        {
            errors.add(ex);
        }
        finally
        {
            try
            {
                socket.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
            sockets.remove(socket);
            threads.remove(Thread.currentThread());
            finished.incrementAndGet();
        }
    }

    /** Close the listener and every connection; wait for the handler threads. */
    public void close() throws IOException
    {
        closed = true;
        server.close();
        for (final Socket socket : sockets)
        {
            socket.close();
        }
        sockets.clear();
        try
        {
            acceptor.join(10_000);
            for (final Thread thread : threads)
            {
                thread.join(10_000);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
