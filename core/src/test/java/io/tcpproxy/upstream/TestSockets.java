package io.tcpproxy.upstream;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What a test opens (pools, servers that answer health checks on loopback), all closed after it, in reverse order.
 */
final class TestSockets implements AutoCloseable
{
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** @return {@code resource}, closed with the others. */
    <T extends AutoCloseable> T add(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    /** A server on an ephemeral loopback port that {@link #serve}s. */
    ServerSocket responder(final String request, final String reply) throws IOException
    {
        return serve(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), request, reply);
    }

    /**
     * Accept connections on a thread of their own; read the request (when given) and write the reply (or
     * {@code ?} for another request), then close. Without a request, accept and close: enough for a connect check.
     */
    ServerSocket serve(final ServerSocket server, final String request, final String reply)
    {
        add(server);
        final Thread thread = new Thread(() ->
        {
            while (!server.isClosed())
            {
                try (Socket socket = server.accept())
                {
                    if (request != null)
                    {
                        answer(socket, request, reply);
                    }
                }
                catch (final IOException ex)
                {
                    // closed by the test, or the checker hung up: that connection only
                }
            }
        }, "test-responder");
        thread.setDaemon(true);
        thread.start();
        return server;
    }

    private static void answer(final Socket socket, final String request, final String reply) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final byte[] expected = request.getBytes(StandardCharsets.US_ASCII);
        final byte[] got = in.readNBytes(expected.length);
        final OutputStream out = socket.getOutputStream();
        out.write((Arrays.equals(expected, got) ? reply : "?").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close()
    {
        final List<AutoCloseable> newestFirst = new ArrayList<>(resources);
        Collections.reverse(newestFirst);
        CloseHelper.closeAll(newestFirst); // closes every one, then throws the first failure
    }
}
