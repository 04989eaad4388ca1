package io.tcpproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client sockets a test opens towards the proxy: connected and read with a generous timeout (so a bug fails a
 * test instead of hanging it), all closed by {@link #close()}. Plus the checks a test runs on them through an echoing
 * upstream.
 */
public final class ClientSockets implements AutoCloseable
{
    /** Connect and read timeout: a loaded 2-core machine can starve a reader for many seconds. */
    public static final int TIMEOUT_MS = 30_000;
    /** Up to this many bytes fit the socket buffers on loopback: written before reading, without a writer thread. */
    private static final int WRITE_THEN_READ_BYTES = 16 * 1024;

    private final List<Socket> sockets = new ArrayList<>();

    /**
     * @param address to connect to.
     * @return a connected socket with {@link #TIMEOUT_MS} as its read timeout, closed with the others.
     * @throws IOException when it cannot connect.
     */
    public Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = add(new Socket());
        socket.connect(address, TIMEOUT_MS);
        socket.setSoTimeout(TIMEOUT_MS);
        return socket;
    }

    /**
     * @param socket to close with the others.
     * @return {@code socket}.
     */
    public synchronized Socket add(final Socket socket)
    {
        sockets.add(socket);
        return socket;
    }

    /**
     * @param closed sockets the test closed itself: no longer kept.
     */
    public synchronized void forget(final List<Socket> closed)
    {
        sockets.removeAll(closed);
    }

    /**
     * @return the sockets open so far, in the order they were added.
     */
    public synchronized List<Socket> all()
    {
        return List.copyOf(sockets);
    }

    @Override
    public synchronized void close() throws IOException
    {
        for (final Socket socket : sockets)
        {
            socket.close();
        }
        sockets.clear();
    }

    /**
     * Send {@code bytes} and check the same bytes come back (through an echoing upstream), whatever their size.
     *
     * @param socket to send on.
     * @param bytes to send.
     * @return the bytes read back.
     * @throws IOException on a failed read or write.
     * @throws AssertionError when the connection closes early or other bytes come back.
     */
    public static byte[] roundTrip(final Socket socket, final byte[] bytes) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        final Thread writer;
        if (bytes.length <= WRITE_THEN_READ_BYTES)
        {
            writer = null;
            out.write(bytes);
            out.flush();
        }
        else
        {
            // more than the buffers hold: written while the echo is read, or both sides would block
            writer = new Thread(() -> writeQuietly(out, bytes), "round-trip-writer");
            writer.start();
        }
        final byte[] back = readFully(socket.getInputStream(), bytes.length);
        if (writer != null)
        {
            try
            {
                writer.join(TIMEOUT_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        if (!Arrays.equals(bytes, back))
        {
            throw new AssertionError("other bytes came back than the " + bytes.length + " sent");
        }
        return back;
    }

    /**
     * @param socket to read one byte from.
     * @return -1 when the connection was closed (an EOF or a reset), else the byte read.
     * @throws AssertionError when neither a byte nor the close comes within the read timeout.
     */
    public static int readOrEof(final Socket socket)
    {
        try
        {
            return socket.getInputStream().read();
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("not closed within the read timeout", ex);
        }
        catch (final IOException ex)
        {
            return -1; // a reset: closed as well
        }
    }

    private static byte[] readFully(final InputStream in, final int length) throws IOException
    {
        final byte[] back = in.readNBytes(length);
        if (back.length < length)
        {
            throw new AssertionError("closed after " + back.length + " of " + length + " bytes");
        }
        return back;
    }

    private static void writeQuietly(final OutputStream out, final byte[] bytes)
    {
        try
        {
            out.write(bytes);
            out.flush();
        }
        catch (final IOException ignore)
        {
            // the read fails too
        }
    }
}
