package io.tcpproxy.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The tests' echo server for many connections: the product's {@link io.tcpproxy.echo.EchoServer} on one selector
 * thread, on loopback, with one shared read buffer and a buffer of its own only for a connection whose echo could not
 * be written at once (so thousands of idle connections cost no memory). It can misbehave on purpose: flip a byte
 * every N bytes, close each connection after some bytes, or stall everything once. For one thread per connection
 * and handlers of your own, see {@link TestUpstream}.
 * <p>
 * Run as a program ({@link #main}, on {@link #classPath()}) it serves in a child JVM, for tests that need more
 * sockets than their own process may hold: it prints {@code port N}, then echoes until its standard input closes.
 */
public final class EchoServer implements AutoCloseable
{
    private final io.tcpproxy.echo.EchoServer server;
    private final long corruptPeriodBytes;
    private final long closeAfterBytes;
    private final long stallAfterBytes;
    private final long stallNs;
    private final AtomicLong echoedBytes = new AtomicLong();
    private final AtomicLong corruptedBytes = new AtomicLong();
    private boolean stalled;

    private EchoServer(
        final long corruptPeriodBytes, final long closeAfterBytes, final long stallAfterBytes, final long stallNs)
        throws IOException
    {
        this.corruptPeriodBytes = corruptPeriodBytes;
        this.closeAfterBytes = closeAfterBytes;
        this.stallAfterBytes = stallAfterBytes;
        this.stallNs = stallNs;
        server = io.tcpproxy.echo.EchoServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1,
            io.tcpproxy.echo.EchoServer.DEFAULT_BUFFER_BYTES, this::onRead);
    }

    /**
     * @return a started server that echoes every byte and closes when the client does.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer echo() throws IOException
    {
        return new EchoServer(0, 0, 0, 0);
    }

    /**
     * @param messages     flip one byte in every this many messages...
     * @param messageBytes ...of this size (the last byte of each period).
     * @return a started server that corrupts what it echoes.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer corruptingEvery(final int messages, final int messageBytes) throws IOException
    {
        return new EchoServer((long)messages * messageBytes, 0, 0, 0);
    }

    /**
     * @param bytes close a connection once it has sent this many bytes, without echoing the last read.
     * @return a started server.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer closingAfter(final long bytes) throws IOException
    {
        return new EchoServer(0, bytes, 0, 0);
    }

    /**
     * @param bytes   once this many bytes are echoed in all, stop serving everyone...
     * @param stallMs ...for this long (like a GC pause), once.
     * @return a started server.
     * @throws IOException if the listener cannot bind.
     */
    public static EchoServer stallingOnceAfter(final long bytes, final long stallMs) throws IOException
    {
        return new EchoServer(0, 0, bytes, TimeUnit.MILLISECONDS.toNanos(stallMs));
    }

    /**
     * Serve in this JVM until standard input closes; print {@code port N} first.
     *
     * @param args unused.
     * @throws IOException if the listener cannot bind.
     */
    public static void main(final String[] args) throws IOException
    {
        try (EchoServer server = echo())
        {
            System.out.println("port " + server.address().getPort());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // wait for the parent to close our input (or die)
            }
        }
    }

    /**
     * @return the class path a child JVM needs to run {@link #main}.
     */
    public static String classPath()
    {
        return codeSource(EchoServer.class) + File.pathSeparator + codeSource(io.tcpproxy.echo.EchoServer.class) +
            File.pathSeparator + codeSource(org.agrona.CloseHelper.class);
    }

    /**
     * @return the bound loopback address.
     */
    public InetSocketAddress address()
    {
        return server.localAddress();
    }

    /** @return bytes read and echoed (or queued to echo) so far, over all connections. */
    public long echoedBytes()
    {
        return echoedBytes.get();
    }

    /** @return bytes flipped on purpose so far. */
    public long corruptedBytes()
    {
        return corruptedBytes.get();
    }

    @Override
    public void close()
    {
        server.close();
    }

    /** Runs on the server's one selector thread, so {@code stalled} needs no guard. */
    private boolean onRead(final long offsetBytes, final ByteBuffer bytes)
    {
        corrupt(offsetBytes, bytes);
        final int bytesRead = bytes.remaining();
        if (closeAfterBytes > 0 && offsetBytes + bytesRead >= closeAfterBytes)
        {
            return false;
        }
        final long echoedSoFar = echoedBytes.addAndGet(bytesRead);
        if (stallAfterBytes > 0 && !stalled && echoedSoFar >= stallAfterBytes)
        {
            // like a GC pause or a blocked worker of a proxy: the one thread serves no one meanwhile
            stalled = true;
            final long untilNs = System.nanoTime() + stallNs;
            for (long remainingNs = stallNs; remainingNs > 0; remainingNs = untilNs - System.nanoTime())
            {
                LockSupport.parkNanos(remainingNs);
            }
        }
        return true;
    }

    /** Flips the last byte of every period of {@code corruptPeriodBytes}, counted from the connection's first. */
    private void corrupt(final long offsetBytes, final ByteBuffer bytes)
    {
        if (corruptPeriodBytes <= 0)
        {
            return;
        }
        final long endOffset = offsetBytes + bytes.remaining();
        for (long offset = (offsetBytes / corruptPeriodBytes + 1) * corruptPeriodBytes - 1; offset < endOffset;
            offset += corruptPeriodBytes)
        {
            final int index = bytes.position() + (int)(offset - offsetBytes);
            bytes.put(index, (byte)~bytes.get(index));
            corruptedBytes.incrementAndGet();
        }
    }

    private static String codeSource(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
