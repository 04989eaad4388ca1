package io.tcpproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-per-connection upstream for the shutdown tests, living in the test JVM so the tests see both ends of a
 * proxied connection: it can echo, hold a connection open forever, or stream a pseudo-random payload and report
 * the SHA-256 of what it sent.
 */
final class ShutdownUpstream implements AutoCloseable
{
    /**
     * What the upstream does with each accepted connection.
     */
    enum Mode
    {
        /** Echo every byte; on EOF, half-close back. */
        ECHO,
        /** Read and discard, never write, until the peer closes. */
        HOLD,
        /** Write {@code streamBytes} pseudo-random bytes, half-close, then read until EOF. */
        STREAM
    }

    private static final int CHUNK = 64 * 1024;

    private final ServerSocket server;
    private final Mode mode;
    private final long streamBytes;
    private final Thread acceptor;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicInteger peerClosed = new AtomicInteger();
    private final CompletableFuture<byte[]> sentDigest = new CompletableFuture<>();

    private ShutdownUpstream(final Mode mode, final long streamBytes) throws IOException
    {
        this.mode = mode;
        this.streamBytes = streamBytes;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "shutdown-upstream-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ShutdownUpstream echo() throws IOException
    {
        return new ShutdownUpstream(Mode.ECHO, 0);
    }

    static ShutdownUpstream hold() throws IOException
    {
        return new ShutdownUpstream(Mode.HOLD, 0);
    }

    static ShutdownUpstream stream(final long bytes) throws IOException
    {
        return new ShutdownUpstream(Mode.STREAM, bytes);
    }

    /** @return "127.0.0.1:port", for --target. */
    String target()
    {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** @return connections accepted so far. */
    int accepted()
    {
        return accepted.get();
    }

    /** @return bytes read from all connections so far. */
    long bytesRead()
    {
        return bytesRead.get();
    }

    /** @return connections on which the proxy's side has closed (EOF or reset seen). */
    int peerClosed()
    {
        return peerClosed.get();
    }

    /** @return completes with the SHA-256 of everything a STREAM connection wrote. */
    CompletableFuture<byte[]> sentDigest()
    {
        return sentDigest;
    }

    /** @return errors the connection threads met (other than the proxy resetting them), for the tests to check. */
    List<Throwable> errors()
    {
        synchronized (errors)
        {
            return new ArrayList<>(errors);
        }
    }

    public void close()
    {
        closeQuietly(server);
        synchronized (sockets)
        {
            for (final Socket socket : sockets)
            {
                closeQuietly(socket);
            }
        }
        try
        {
            acceptor.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop()
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket socket = server.accept();
                synchronized (sockets)
                {
                    sockets.add(socket);
                }
                accepted.incrementAndGet();
                final Thread thread = new Thread(() -> serve(socket), "shutdown-upstream-" + mode);
                thread.setDaemon(true);
                thread.start();
            }
            catch (final IOException ex)
            {
                if (!server.isClosed())
                {
                    recordError(ex);
                }
            }
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            switch (mode)
            {
                case ECHO:
                    echo(socket);
                    break;
                case HOLD:
                    readToEof(socket.getInputStream());
                    break;
                default:
                    stream(socket);
                    break;
            }
            peerClosed.incrementAndGet();
        }
        catch (final SocketException ex)
        {
            peerClosed.incrementAndGet(); // a reset from the proxy closing the connection
        }
        catch (final IOException | RuntimeException ex)
        {
            recordError(ex);
        }
    }

    private void echo(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final OutputStream out = socket.getOutputStream();
        final byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk)) >= 0)
        {
            bytesRead.addAndGet(n);
            out.write(chunk, 0, n);
            out.flush();
        }
        socket.shutdownOutput();
    }

    private void stream(final Socket socket) throws IOException
    {
        final MessageDigest digest = sha256();
        final SplittableRandom random = new SplittableRandom(streamBytes);
        final OutputStream out = socket.getOutputStream();
        final byte[] chunk = new byte[CHUNK];
        long remaining = streamBytes;
        while (remaining > 0)
        {
            final int length = (int)Math.min(chunk.length, remaining);
            random.nextBytes(chunk);
            digest.update(chunk, 0, length);
            out.write(chunk, 0, length);
            remaining -= length;
        }
        out.flush();
        socket.shutdownOutput();
        sentDigest.complete(digest.digest());
        readToEof(socket.getInputStream());
    }

    private void readToEof(final InputStream in) throws IOException
    {
        final byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.read(chunk)) >= 0)
        {
            bytesRead.addAndGet(n);
        }
    }

    private void recordError(final Throwable ex)
    {
        synchronized (errors)
        {
            errors.add(ex);
        }
    }

    static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignore)
        {
            // closing anyway
        }
    }
}
