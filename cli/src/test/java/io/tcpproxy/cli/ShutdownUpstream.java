package io.tcpproxy.cli;

import io.tcpproxy.testsupport.TestUpstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The upstream for the shutdown tests, a {@link TestUpstream} living in the test JVM so the tests see both ends of
 * a proxied connection: it can echo, hold a connection open forever, or stream a pseudo-random payload and report
 * the SHA-256 of what it sent. A reset from the proxy counts as the peer closing, not as an error.
 */
final class ShutdownUpstream implements AutoCloseable
{
    private static final int CHUNK = 64 * 1024;

    private final TestUpstream upstream;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicInteger peerClosed = new AtomicInteger();
    private final CompletableFuture<byte[]> sentDigest = new CompletableFuture<>();

    private ShutdownUpstream(final Function<ShutdownUpstream, TestUpstream.Handler> mode) throws IOException
    {
        upstream = TestUpstream.start(mode.apply(this)::handle);
    }

    /** @return an upstream that echoes every byte and, on EOF, half-closes back. */
    static ShutdownUpstream echo() throws IOException
    {
        return new ShutdownUpstream((self) -> (socket) -> self.untilClosed(socket, self::echo));
    }

    /** @return an upstream that reads and discards, never writing, until the peer closes. */
    static ShutdownUpstream hold() throws IOException
    {
        return new ShutdownUpstream(
            (self) -> (socket) -> self.untilClosed(socket, (s) -> self.readToEof(s.getInputStream())));
    }

    /**
     * @param bytes how much each connection is sent.
     * @return an upstream that writes {@code bytes} pseudo-random bytes, half-closes, then reads until EOF.
     */
    static ShutdownUpstream stream(final long bytes) throws IOException
    {
        return new ShutdownUpstream((self) -> (socket) -> self.untilClosed(socket, (s) -> self.stream(s, bytes)));
    }

    /** @return "127.0.0.1:port", for --target. */
    String target()
    {
        return upstream.address();
    }

    /** @return connections accepted so far. */
    int accepted()
    {
        return upstream.accepted();
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
        return upstream.errors();
    }

    public void close()
    {
        upstream.close();
    }

    private void untilClosed(final Socket socket, final TestUpstream.Handler serve) throws Exception
    {
        try
        {
            serve.handle(socket);
        }
        catch (final SocketException ex)
        {
            // a reset from the proxy closing the connection
        }
        peerClosed.incrementAndGet();
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
        }
        socket.shutdownOutput();
    }

    private void stream(final Socket socket, final long streamBytes) throws IOException
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
}
