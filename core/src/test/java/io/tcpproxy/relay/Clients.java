package io.tcpproxy.relay;

import io.tcpproxy.Proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blocking client sockets to the proxy, with a read timeout so that a bug fails a test instead of hanging it.
 */
final class Clients
{
    static final int SAFETY_READ_TIMEOUT_MS = 60_000; // a loaded 2-core machine can starve a reader for many seconds
    private static final int CONNECT_TIMEOUT_MS = 5000;

    /** How a connection ended, seen from the reading side. */
    enum End
    {
        EOF,
        RESET,
        STILL_OPEN
    }

    private Clients()
    {
    }

    static Socket connect(final Proxy proxy) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(SAFETY_READ_TIMEOUT_MS);
            socket.connect(proxy.localAddress(), CONNECT_TIMEOUT_MS);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * Send {@code message} and check the same bytes come back (through an echoing upstream).
     */
    static void assertEchoes(final Socket socket, final String message) throws IOException
    {
        final byte[] sent = message.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(sent);
        final byte[] received = socket.getInputStream().readNBytes(sent.length);
        assertEquals(message, new String(received, StandardCharsets.UTF_8));
    }

    /**
     * Read and discard until the connection ends or {@code within} passes.
     */
    static End awaitEnd(final Socket socket, final Duration within) throws IOException
    {
        final long deadlineNs = System.nanoTime() + within.toNanos();
        final InputStream in = socket.getInputStream();
        final byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                final long remainingMs = (deadlineNs - System.nanoTime()) / 1_000_000;
                if (remainingMs <= 0)
                {
                    return End.STILL_OPEN;
                }
                socket.setSoTimeout((int)remainingMs);
                if (in.read(buffer) < 0)
                {
                    return End.EOF;
                }
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return End.STILL_OPEN;
        }
        catch (final SocketException ex)
        {
            return End.RESET;
        }
        finally
        {
            if (!socket.isClosed())
            {
                socket.setSoTimeout(SAFETY_READ_TIMEOUT_MS);
            }
        }
    }
}
