package io.tcpproxy.relay;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that says its name ("A\n") on accept, then echoes; it can be killed (listener and connections closed)
 * and restarted on the same port, like a server process that died and came back.
 */
final class NamedServer implements AutoCloseable
{
    private final String name;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;

    private NamedServer(final String name, final int port)
    {
        this.name = name;
        this.port = port;
    }

    static NamedServer start(final String name) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        final NamedServer server = new NamedServer(name, socket.getLocalPort());
        server.listen(socket);
        return server;
    }

    /** @return a free port that nothing listens on (a server that is down). */
    static int deadPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    String address()
    {
        return "127.0.0.1:" + port;
    }

    int accepted()
    {
        return accepted.get();
    }

    /** Close the listener and every connection (connects are refused from now on). */
    void kill()
    {
        CloseHelper.quietClose(serverSocket);
        try
        {
            acceptor.join(10_000); // a connect that raced the close may still be accepted: wait, then close it too
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        for (final Socket socket : sockets)
        {
            CloseHelper.quietClose(socket);
        }
    }

    /** Listen again on the same port. */
    void restart() throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        listen(socket);
    }

    @Override
    public void close()
    {
        kill();
    }

    private void listen(final ServerSocket socket)
    {
        this.serverSocket = socket;
        final Thread thread = new Thread(() -> acceptLoop(socket), "named-server-" + name);
        thread.setDaemon(true);
        this.acceptor = thread;
        thread.start();
    }

    private void acceptLoop(final ServerSocket listener)
    {
        while (!listener.isClosed())
        {
            final Socket socket;
            try
            {
                socket = listener.accept();
            }
            catch (final IOException ex)
            {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            if (listener.isClosed())
            {
                CloseHelper.quietClose(socket); // accepted while being killed
                continue;
            }
            final Thread handler = new Thread(() -> serve(socket), "named-server-" + name + "-conn");
            handler.setDaemon(true);
            handler.start();
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            final OutputStream out = socket.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().transferTo(out); // the echo, until the peer's FIN
        }
        catch (final IOException ignore)
        {
            // killed, or the peer went away
        }
        finally
        {
            sockets.remove(socket);
        }
    }

}
