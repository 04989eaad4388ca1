package io.tcpproxy.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Blocking-socket client for the tests: writes on one thread while reading on the calling one, so a large
 * payload cannot deadlock against the server's back-pressure.
 */
final class EchoClient
{
    private EchoClient()
    {
    }

    /**
     * Send everything, shut down output, and read until EOF.
     *
     * @return every byte received before EOF.
     */
    static byte[] sendAllThenHalfClose(final InetSocketAddress address, final byte[] data, final Duration timeout)
        throws IOException, InterruptedException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, (int)timeout.toMillis());
            socket.setSoTimeout((int)timeout.toMillis());
            socket.setTcpNoDelay(true);
            final AtomicReference<Throwable> writeError = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final OutputStream out = socket.getOutputStream();
                    int offset = 0;
                    while (offset < data.length)
                    {
                        final int length = Math.min(8192, data.length - offset);
                        out.write(data, offset, length);
                        offset += length;
                    }
                    out.flush();
                    socket.shutdownOutput();
                }
                catch (final Throwable ex)
                {
                    writeError.set(ex);
                }
            }, "echo-client-writer");
            writer.start();

            final byte[] received = readToEof(socket.getInputStream());
            writer.join(timeout.toMillis());
            if (writeError.get() != null)
            {
                throw new IOException("write failed", writeError.get());
            }
            return received;
        }
    }

    static byte[] readToEof(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] chunk = new byte[65536];
        int n;
        while ((n = in.read(chunk)) >= 0)
        {
            received.write(chunk, 0, n);
        }
        return received.toByteArray();
    }

    static byte[] readExactly(final InputStream in, final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        int offset = 0;
        while (offset < length)
        {
            final int n = in.read(bytes, offset, length - offset);
            if (n < 0)
            {
                throw new IOException("EOF after " + offset + " of " + length + " bytes");
            }
            offset += n;
        }
        return bytes;
    }
}
