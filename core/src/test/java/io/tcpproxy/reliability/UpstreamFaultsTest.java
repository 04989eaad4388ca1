package io.tcpproxy.reliability;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.relay.ProxyAwait;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream misbehaves: each fault ends with the expected close reason in the metrics and the ending the client
 * sees (a FIN only for a complete stream, a reset otherwise), and the proxy goes on serving.
 */
class UpstreamFaultsTest
{
    @Test
    void refusedConnectEndsTheClientWithNoBytes() throws Exception
    {
        final int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = gone.getLocalPort();
        }
        try (Proxy proxy = Battery.start(Battery.config(closedPort)))
        {
            for (int i = 0; i < 5; i++)
            {
                try (Socket client = Battery.connect(proxy))
                {
                    final Battery.Received received = Battery.readToEnd(client);
                    assertEquals(0, received.bytes.length);
                }
            }
            final MetricsSnapshot s = Battery.settled(proxy, 5);
            assertEquals(5, s.closes(CloseReason.CONNECT_REFUSED), ProxyAwait.describe(s));
            assertEquals(5, s.connectFailures(CloseReason.CONNECT_REFUSED), ProxyAwait.describe(s));
        }
    }

    @Test
    void resetMidStreamResetsTheClient() throws Exception
    {
        final CountDownLatch sent = new CountDownLatch(1);
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            socket.getInputStream().readNBytes(1);
            socket.getOutputStream().write(new byte[1000]);
            sent.await();
            TestUpstream.reset(socket);
        });
            Proxy proxy = Battery.start(Battery.config(upstream.port()));
            Socket client = Battery.connect(proxy))
        {
            client.getOutputStream().write(1);
            assertEquals(1000, client.getInputStream().readNBytes(1000).length);
            sent.countDown();
            Battery.assertCutWithReset(proxy, client, CloseReason.UPSTREAM_RESET,
                "a stream cut by the upstream must not look complete");
        }
    }

    @Test
    void upstreamThatNeverReadsHoldsTheClientBackWithBoundedMemory() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.holding();
            Proxy proxy = Battery.start(Battery.config(upstream.port()).bufferSizeBytes(16 * 1024));
            Socket client = Battery.connect(proxy))
        {
            final long offered = 256L * 1024 * 1024;
            final AtomicLong written = new AtomicLong();
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeUntilStopped(client, offered,
                written));
            awaitStalled(written);
            assertTrue(written.get() < offered, "back-pressure: the client is held back, " + written + " written");
            final MetricsSnapshot s = proxy.metrics();
            assertTrue(s.bufferBytesInUse() <= s.bufferBytesLimit(), ProxyAwait.describe(s));

            upstream.kill(); // the held connection is reset
            Battery.until("the writer to fail", writer::isDone);
            final MetricsSnapshot after = Battery.settled(proxy, 1);
            assertEquals(1, after.closes(CloseReason.UPSTREAM_RESET), ProxyAwait.describe(after));
            assertEquals(0, after.bufferBytesInUse(), ProxyAwait.describe(after));
        }
    }

    @Test
    void slowReaderGetsEveryByte() throws Exception
    {
        final int size = Battery.LONG ? 32 * 1024 * 1024 : 4 * 1024 * 1024;
        try (TestUpstream upstream = TestUpstream.start(UpstreamFaultsTest::slowChecksum);
            Proxy proxy = Battery.start(Battery.config(upstream.port()));
            Socket client = Battery.connect(proxy))
        {
            final byte[] data = new byte[size];
            new SplittableRandom(7).nextBytes(data);
            client.getOutputStream().write(data);
            client.shutdownOutput();
            final CRC32 crc = new CRC32();
            crc.update(data);
            final DataInputStream in = new DataInputStream(client.getInputStream());
            assertEquals(size, in.readLong());
            assertEquals(crc.getValue(), in.readLong());
            assertEquals(Battery.Ending.FIN, Battery.readToEnd(client).ending);
            final MetricsSnapshot s = Battery.settled(proxy, 1);
            assertEquals(1, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(size, s.bytesUpstream(), ProxyAwait.describe(s));
            assertEquals(16, s.bytesDownstream(), ProxyAwait.describe(s));
        }
    }

    @Test
    void halfCloseThenDelayedResponseArrivesWhole() throws Exception
    {
        final int response = 1024 * 1024;
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            socket.getInputStream().readAllBytes(); // the request, to the client's FIN
            Await.sleepMs(500);
            socket.getOutputStream().write(new byte[response]);
            socket.shutdownOutput();
        });
            Proxy proxy = Battery.start(Battery.config(upstream.port()));
            Socket client = Battery.connect(proxy))
        {
            client.getOutputStream().write(new byte[100]);
            client.shutdownOutput();
            final Battery.Received received = Battery.readToEnd(client);
            assertEquals(Battery.Ending.FIN, received.ending);
            assertEquals(response, received.bytes.length);
            final MetricsSnapshot s = Battery.settled(proxy, 1);
            assertEquals(1, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(response, s.bytesDownstream(), ProxyAwait.describe(s));
        }
    }

    @Test
    void killedWithConnectionsOpenResetsThemAndRefusesNewOnes() throws Exception
    {
        final int open = 8;
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            socket.getOutputStream().write(new byte[10]);
            socket.getInputStream().readAllBytes();
        });
            Proxy proxy = Battery.start(Battery.config(upstream.port())))
        {
            final List<Socket> clients = new ArrayList<>();
            try
            {
                for (int i = 0; i < open; i++)
                {
                    final Socket client = Battery.connect(proxy);
                    clients.add(client);
                    client.getOutputStream().write(new byte[5]);
                    assertEquals(10, client.getInputStream().readNBytes(10).length);
                }
                Battery.until("the upstream to hold every connection", () -> upstream.accepted() == open);
                upstream.kill();
                for (final Socket client : clients)
                {
                    assertEquals(Battery.Ending.RST, Battery.readToEnd(client).ending);
                }
                try (Socket late = Battery.connect(proxy))
                {
                    assertEquals(0, Battery.readToEnd(late).bytes.length);
                }
            }
            finally
            {
                for (final Socket client : clients)
                {
                    client.close();
                }
            }
            final MetricsSnapshot s = Battery.settled(proxy, open + 1);
            assertEquals(open, s.closes(CloseReason.UPSTREAM_RESET), ProxyAwait.describe(s));
            assertEquals(1, s.closes(CloseReason.CONNECT_REFUSED), ProxyAwait.describe(s));
        }
    }

    /** Read slowly to the client's FIN, then answer with the byte count and a CRC32 of what arrived. */
    private static void slowChecksum(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final byte[] chunk = new byte[64 * 1024];
        final CRC32 crc = new CRC32();
        long total = 0;
        int read;
        while ((read = in.read(chunk)) >= 0)
        {
            crc.update(chunk, 0, read);
            total += read;
            Await.sleepMs(Battery.LONG ? 2 : 5);
        }
        final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeLong(total);
        out.writeLong(crc.getValue());
        out.flush();
        socket.shutdownOutput();
    }

    static void writeUntilStopped(final Socket socket, final long bytes, final AtomicLong written)
    {
        try
        {
            final OutputStream out = socket.getOutputStream();
            final byte[] chunk = new byte[8 * 1024];
            while (written.get() < bytes)
            {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
        }
        catch (final IOException expected)
        {
            // the peer went away: the test looks at how much got through
        }
    }

    /** Wait until a writer makes no progress for a second (held back by the proxy's back-pressure). */
    static void awaitStalled(final AtomicLong written)
    {
        final long[] last = {-1};
        final long[] sinceNs = {System.nanoTime()};
        Battery.until("the writer to stall", () ->
        {
            final long now = written.get();
            if (now != last[0])
            {
                last[0] = now;
                sinceNs[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - sinceNs[0] > TimeUnit.SECONDS.toNanos(1);
        }, () -> "(" + written + " written)");
    }
}
