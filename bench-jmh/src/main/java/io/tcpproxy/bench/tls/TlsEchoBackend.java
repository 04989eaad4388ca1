package io.tcpproxy.bench.tls;

import org.agrona.CloseHelper;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A Java TLS server on loopback: per connection, the handshake, then one message of {@code messageBytes} read and
 * sent back, then close. Connections are served by a fixed pool of threads, so a slow handshake does not hold the
 * accept loop.
 */
final class TlsEchoBackend implements AutoCloseable
{
    private final SSLServerSocket listener;
    private final ExecutorService connectionThreads;
    private final int messageBytes;

    TlsEchoBackend(final SSLContext context, final String name, final int threads, final int messageBytes)
        throws IOException
    {
        this.messageBytes = messageBytes;
        listener = (SSLServerSocket)context.getServerSocketFactory()
            .createServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        connectionThreads = Executors.newFixedThreadPool(threads, (task) ->
        {
            final Thread thread = new Thread(task, "tls-backend-" + name);
            thread.setDaemon(true);
            return thread;
        });
        final Thread acceptor = new Thread(this::acceptLoop, "tls-backend-accept-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    private void acceptLoop()
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
                continue; // closed: the loop ends; anything else: the next connection
            }
            try
            {
                connectionThreads.execute(() -> serve(socket));
            }
            catch (final RejectedExecutionException ex)
            {
                CloseHelper.quietClose(socket);
            }
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            socket.setSoTimeout(30_000);
            final byte[] message = new byte[messageBytes];
            new DataInputStream(socket.getInputStream()).readFully(message);
            final OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
        }
        catch (final IOException ex)
        {
            // the client gave up or was cut off: the client side counts it
        }
    }

    @Override
    public void close() throws IOException
    {
        listener.close();
        connectionThreads.shutdownNow();
        try
        {
            connectionThreads.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
