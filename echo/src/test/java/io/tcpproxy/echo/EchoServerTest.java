package io.tcpproxy.echo;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EchoServerTest
{
    private static final int READ_TIMEOUT_MS = 30_000;

    @Test
    void shouldEchoEveryByteAndTheHalfClose() throws IOException
    {
        try (EchoServer server = start(EchoFilter.NONE); Socket client = connect(server))
        {
            final byte[] message = "hello, echo".getBytes(StandardCharsets.US_ASCII);
            client.getOutputStream().write(message);
            client.shutdownOutput();

            assertArrayEquals(message, client.getInputStream().readAllBytes(), "the echo, then EOF");
        }
    }

    @Test
    void shouldShowTheFilterEachReadWithItsOffsetAndEchoWhatItChanged() throws IOException
    {
        final List<long[]> reads = new CopyOnWriteArrayList<>();
        final EchoFilter upperCase = (offsetBytes, bytes) ->
        {
            reads.add(new long[]{offsetBytes, bytes.remaining()});
            for (int i = bytes.position(); i < bytes.limit(); i++)
            {
                bytes.put(i, (byte)Character.toUpperCase(bytes.get(i)));
            }
            return true;
        };
        try (EchoServer server = start(upperCase); Socket client = connect(server))
        {
            client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ABC", read(client.getInputStream(), 3));
            client.getOutputStream().write("de".getBytes(StandardCharsets.US_ASCII));
            assertEquals("DE", read(client.getInputStream(), 2));

            long expectedOffset = 0;
            for (final long[] read : reads)
            {
                assertEquals(expectedOffset, read[0], "bytes the connection had sent before this read");
                expectedOffset += read[1];
            }
            assertEquals(5, expectedOffset, "every byte seen once");
        }
    }

    @Test
    void shouldCloseWithoutEchoingWhenTheFilterSaysNo() throws IOException
    {
        try (EchoServer server = start((offsetBytes, bytes) -> false); Socket client = connect(server))
        {
            client.getOutputStream().write(1);

            assertEquals(-1, client.getInputStream().read(), "closed, nothing echoed");
        }
    }

    private static EchoServer start(final EchoFilter filter) throws IOException
    {
        return EchoServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, 1024, filter);
    }

    private static Socket connect(final EchoServer server) throws IOException
    {
        final Socket client = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        client.setSoTimeout(READ_TIMEOUT_MS);
        return client;
    }

    private static String read(final InputStream in, final int bytes) throws IOException
    {
        return new String(in.readNBytes(bytes), StandardCharsets.US_ASCII);
    }
}
