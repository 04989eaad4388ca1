package io.tcpproxy.engine.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay path allocates nothing per message: the worker thread's allocated bytes do not grow with the number of
 * round trips once warmed up.
 */
class RelayAllocationTest
{
    private static final int MESSAGE_BYTES = 1024;
    private static final int WINDOWS = 5;
    private static final int ROUND_TRIPS_PER_WINDOW = 10_000;

    @Test
    void shouldRelayMessagesWithoutAllocatingOnTheWorker() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        try (ServerSocket upstream = new ServerSocket(0))
        {
            final Thread echo = new Thread(() -> echoOne(upstream), "test-echo");
            echo.start();
            final Config config = Config.builder()
                .listenAddress("127.0.0.1:0")
                .targetAddress("127.0.0.1:" + upstream.getLocalPort())
                .metricsAddress("")
                .workers(1)
                .logEvents(LogEvents.OFF)
                .metricsLogIntervalSecs(0)
                .build();
            final PrintStream console = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            try (Proxy proxy = Proxy.start(config, console);
                Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort()))
            {
                client.setTcpNoDelay(true);
                final byte[] message = new byte[MESSAGE_BYTES];
                final byte[] reply = new byte[MESSAGE_BYTES];
                final OutputStream out = client.getOutputStream();
                final DataInputStream in = new DataInputStream(client.getInputStream());
                final long workerId = workerThreadIds().get(0);

                pingPong(out, in, message, reply, 30_000);
                final long[] windowBytes = new long[WINDOWS];
                for (int w = 0; w < WINDOWS; w++)
                {
                    final long before = threads.getThreadAllocatedBytes(workerId);
                    pingPong(out, in, message, reply, ROUND_TRIPS_PER_WINDOW);
                    windowBytes[w] = threads.getThreadAllocatedBytes(workerId) - before;
                }

                // Any allocation per message is at least 16 bytes x 10,000 = 160 KB in every window. Once in a
                // while the JIT allocates a few tens of KB in one window (deoptimisation re-materialising objects it
                // had scalar-replaced), which is not per message: so every window stays well under the per-message
                // figure, and most windows allocate nothing at all.
                final String figures = Arrays.toString(windowBytes) + " bytes in windows of " +
                    ROUND_TRIPS_PER_WINDOW + " round trips";
                int clean = 0;
                for (final long bytes : windowBytes)
                {
                    assertTrue(bytes < 16L * ROUND_TRIPS_PER_WINDOW / 4, "the worker allocated per message: " + figures);
                    clean += bytes < 1_000 ? 1 : 0;
                }
                assertTrue(clean >= WINDOWS - 2, "the worker allocated in most windows: " + figures);
            }
            echo.join(10_000);
            assertFalse(echo.isAlive());
        }
    }

    private static void pingPong(
        final OutputStream out, final DataInputStream in, final byte[] message, final byte[] reply, final int count)
        throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            message[0] = (byte)i;
            out.write(message);
            in.readFully(reply);
            assertEquals(message[0], reply[0]);
        }
    }

    private static List<Long> workerThreadIds()
    {
        final List<Long> ids = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("tcp-proxy-worker-"))
            {
                ids.add(thread.getId());
            }
        }
        assertEquals(1, ids.size(), "worker threads");
        return ids;
    }

    private static void echoOne(final ServerSocket server)
    {
        try (Socket socket = server.accept())
        {
            socket.setTcpNoDelay(true);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            final byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0)
            {
                out.write(buffer, 0, n);
            }
        }
        catch (final IOException ignore)
        {
            // the test closes the proxy, which ends this connection
        }
    }
}
