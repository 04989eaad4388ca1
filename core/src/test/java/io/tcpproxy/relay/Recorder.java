package io.tcpproxy.relay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An upstream that records the first connection that sends anything: it records every byte it receives until the peer's FIN (or a byte count),
 * then answers "ok" and closes: what a proxy sent, header and all, exactly as it arrived.
 */
final class Recorder implements AutoCloseable
{
    private final ServerSocket listener;
    private final CompletableFuture<byte[]> received = new CompletableFuture<>();

    Recorder(final int expectedBytes) throws IOException
    {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread thread = new Thread(() -> record(expectedBytes), "recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void record(final int expectedBytes)
    {
        while (!received.isDone() && !listener.isClosed())
        {
            recordOne(expectedBytes);
        }
    }

    /** Connections that send nothing (a port probe passed along) are not recorded. */
    private void recordOne(final int expectedBytes)
    {
        try (Socket socket = listener.accept())
        {
            final InputStream in = socket.getInputStream();
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final byte[] chunk = new byte[4096];
            while (bytes.size() < expectedBytes)
            {
                final int n = in.read(chunk, 0, Math.min(chunk.length, expectedBytes - bytes.size()));
                if (n < 0)
                {
                    break;
                }
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() == 0)
            {
                return;
            }
            socket.getOutputStream().write(new byte[] { 'o', 'k' });
            socket.shutdownOutput();
            received.complete(bytes.toByteArray());
        }
        catch (final IOException ex)
        {
            if (listener.isClosed())
            {
                received.completeExceptionally(ex);
            }
        }
    }

    String address()
    {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    InetSocketAddress socketAddress()
    {
        return (InetSocketAddress)listener.getLocalSocketAddress();
    }

    /** @return what arrived, waiting up to 30 s. */
    byte[] received() throws Exception
    {
        return received.get(30, TimeUnit.SECONDS);
    }

    public void close() throws IOException
    {
        listener.close();
    }
}
