package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectFailureTest
{
    private static final Duration PROMPTLY = Duration.ofSeconds(30); // a bound for a hang, not a timing window
    private static final int CONNECT_TIMEOUT_MS = 250;

    @Test
    @Timeout(30)
    void shouldCloseClientPromptlyWhenUpstreamRefuses() throws Exception
    {
        try (Proxy proxy = TestProxies.start(TestProxies.configFor("127.0.0.1:" + unusedPort())))
        {
            for (int attempt = 1; attempt <= 2; attempt++) // the listener keeps serving after a failure
            {
                try (Socket client = Clients.connect(proxy))
                {
                    assertEquals(Clients.End.EOF, Clients.awaitEnd(client, PROMPTLY));
                }
                final int expected = attempt;
                final MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, expected + " refused connects",
                    (s) -> s.connectFailures(CloseReason.CONNECT_REFUSED) == expected &&
                    s.closes(CloseReason.CONNECT_REFUSED) == expected);
                assertEquals(expected, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));
            }
            assertEquals(0, proxy.activeConnections());
        }
    }

    @Test
    @Timeout(30)
    void shouldCloseClientAtConnectTimeoutWhenUpstreamNeverAccepts() throws Exception
    {
        try (FullBacklogTarget target = new FullBacklogTarget();
            Proxy proxy = TestProxies.start(TestProxies.configFor(target.address()).connectTimeoutMs(CONNECT_TIMEOUT_MS)))
        {
            // read before connecting: the proxy's connect (and its timeout) may start before this thread runs again
            final long startNs = System.nanoTime();
            try (Socket client = Clients.connect(proxy))
            {
                assertEquals(Clients.End.EOF, Clients.awaitEnd(client, PROMPTLY));
            }
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // a lower bound only: a busy machine may close it later, never before the timeout
            assertTrue(elapsedMs >= CONNECT_TIMEOUT_MS,
                "closed after " + elapsedMs + " ms, connect_timeout_ms is " + CONNECT_TIMEOUT_MS);

            final MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "a connect timeout",
                (s) -> s.connectFailures(CloseReason.CONNECT_TIMEOUT) == 1 && s.closes(CloseReason.CONNECT_TIMEOUT) == 1);
            assertEquals(1, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));
        }
    }

    @Test
    @Timeout(30)
    void shouldCloseClientPromptlyWhenUpstreamNameDoesNotResolve() throws Exception
    {
        final Set<Thread> threadsBefore = ProcessResources.proxyThreads();
        try (Proxy proxy = TestProxies.start(TestProxies.configFor("no-such-host.invalid:80"));
            Socket client = Clients.connect(proxy))
        {
            assertEquals(Clients.End.EOF, Clients.awaitEnd(client, PROMPTLY));
            final MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "an unresolved connect",
                (s) -> s.connectFailures(CloseReason.CONNECT_UNRESOLVED) == 1 &&
                s.closes(CloseReason.CONNECT_UNRESOLVED) == 1);
            assertEquals(1, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));
        }
        Await.until("the resolver thread to end", () -> ProcessResources.newProxyThreads(threadsBefore).isEmpty(),
            Duration.ofSeconds(2), () -> ProcessResources.newProxyThreads(threadsBefore).toString());
    }

    private static int unusedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
