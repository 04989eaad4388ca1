package io.tcpproxy.reliability;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.relay.ProxyAwait;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client misbehaves: silent, never reading, resetting, thousands idle, over {@code max_connections}. Each
 * closes only its own connection, with the expected reason, and the proxy goes on serving.
 */
class ClientFaultsTest
{
    @Test
    void silentClientIsCutAtTheIdleTimeoutWithAReset() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = Battery.start(Battery.config(upstream.port()).idleTimeoutSecs(1));
            Socket client = Battery.connect(proxy))
        {
            Battery.assertCutWithReset(proxy, client, CloseReason.IDLE_TIMEOUT,
                "a stream the proxy cuts must not end with a FIN");
        }
    }

    @Test
    void clientThatNeverReadsHoldsTheUpstreamBackWithBoundedMemory() throws Exception
    {
        final long offered = 256L * 1024 * 1024;
        final AtomicLong written = new AtomicLong();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
            UpstreamFaultsTest.writeUntilStopped(socket, offered, written));
            Proxy proxy = Battery.start(Battery.config(upstream.port()).bufferSizeBytes(16 * 1024));
            Socket client = Battery.connect(proxy))
        {
            client.getOutputStream().write(1); // the upstream writes from the start; this proves the pair is up
            UpstreamFaultsTest.awaitStalled(written);
            assertTrue(written.get() < offered, "back-pressure: the upstream is held back, " + written + " written");
            final MetricsSnapshot s = proxy.metrics();
            assertTrue(s.bufferBytesInUse() <= s.bufferBytesLimit(), ProxyAwait.describe(s));

            TestUpstream.reset(client);
            Battery.until("the upstream writer to end", () -> upstream.finished() == 1);
            final MetricsSnapshot after = Battery.settled(proxy, 1);
            assertEquals(1, after.closes(CloseReason.CLIENT_RESET), ProxyAwait.describe(after));
        }
    }

    @Test
    void clientResetResetsTheUpstream() throws Exception
    {
        final CompletableFuture<Battery.Ending> upstreamSaw = new CompletableFuture<>();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            socket.getInputStream().readNBytes(3);
            upstreamSaw.complete(Battery.readToEnd(socket).ending);
        });
            Proxy proxy = Battery.start(Battery.config(upstream.port()));
            Socket client = Battery.connect(proxy))
        {
            client.getOutputStream().write(new byte[3]);
            Battery.until("the upstream to get the bytes", () -> upstream.accepted() == 1);
            Await.sleepMs(100);
            TestUpstream.reset(client);
            assertEquals(Battery.Ending.RST, upstreamSaw.get(), "a client reset must reach the upstream as a reset");
            final MetricsSnapshot s = Battery.settled(proxy, 1);
            assertEquals(1, s.closes(CloseReason.CLIENT_RESET), ProxyAwait.describe(s));
        }
    }

    @Test
    void thousandsOfIdleClientsAreHeldAndTheProxyStillServes() throws Exception
    {
        // four descriptors per idle client live in this JVM (client, proxy's two, upstream): stay inside the limit
        final int idle = (int)Math.min(Battery.LONG ? 5000 : 1000, (Battery.descriptorLimit() - 2000) / 4);
        assertTrue(idle >= 1000, "needs ulimit -n of at least 6000, have " + Battery.descriptorLimit());
        try (TestUpstream upstream = TestUpstream.holding();
            TestUpstream echo = TestUpstream.echo();
            Proxy proxy = Battery.start(Battery.config(upstream.port()).maxConnections(idle + 10));
            Proxy echoProxy = Battery.start(Battery.config(echo.port())))
        {
            final long socketsBefore = Battery.openSockets();
            final List<Socket> clients = new ArrayList<>();
            try
            {
                for (int i = 0; i < idle; i++)
                {
                    clients.add(Battery.connect(proxy));
                }
                Battery.metrics(proxy, idle + " active", (s) -> s.activeConnections() == idle);
                Battery.until("the upstream to hold them all", () -> upstream.accepted() == idle);
                try (Socket fresh = Battery.connect(echoProxy))
                {
                    fresh.getOutputStream().write("still here".getBytes());
                    assertArrayEquals("still here".getBytes(), fresh.getInputStream().readNBytes(10));
                }
            }
            finally
            {
                for (final Socket client : clients)
                {
                    TestUpstream.reset(client); // a FIN would only half-close: the holding upstream never answers it
                }
            }
            final MetricsSnapshot s = Battery.settled(proxy, idle);
            assertEquals(idle, s.closes(CloseReason.CLIENT_RESET), ProxyAwait.describe(s));
            assertEquals(idle, s.totalConnections(), ProxyAwait.describe(s));
            assertEquals(0, s.rejectedConnections(), ProxyAwait.describe(s));
            assertEquals(0, s.internalErrors(), ProxyAwait.describe(s));
            upstream.kill(); // its listener and held sockets go
            Battery.awaitSocketsBackTo(socketsBefore - 1); // the held upstream's listener is gone too
        }
    }

    @Test
    void overMaxConnectionsIsRefusedAndTheOthersGoOn() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = Battery.start(Battery.config(upstream.port()).maxConnections(3)))
        {
            final List<Socket> held = new ArrayList<>();
            try
            {
                for (int i = 0; i < 3; i++)
                {
                    final Socket client = Battery.connect(proxy);
                    held.add(client);
                    echoes(client, "first " + i);
                }
                try (Socket over = Battery.connect(proxy))
                {
                    final Battery.Received received = Battery.readToEnd(over);
                    assertEquals(0, received.bytes.length);
                }
                final MetricsSnapshot s = Battery.metrics(proxy, "one rejected", (m) -> m.rejectedConnections() == 1);
                assertEquals(3, s.activeConnections(), ProxyAwait.describe(s));
                for (final Socket client : held)
                {
                    echoes(client, "again");
                }
            }
            finally
            {
                for (final Socket client : held)
                {
                    client.close();
                }
            }
            final MetricsSnapshot s = Battery.settled(proxy, 3);
            assertEquals(1, s.rejectedConnections(), ProxyAwait.describe(s));
        }
    }

    private static void echoes(final Socket client, final String text) throws IOException
    {
        final OutputStream out = client.getOutputStream();
        out.write(text.getBytes());
        assertArrayEquals(text.getBytes(), client.getInputStream().readNBytes(text.length()));
    }
}
