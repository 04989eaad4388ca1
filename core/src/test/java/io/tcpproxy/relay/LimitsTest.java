package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LimitsTest
{
    private static final int MAX_CONNECTIONS = 3;
    private static final int IDLE_TIMEOUT_SECS = 2;

    @Test
    @Timeout(30)
    void shouldCloseConnectionsBeyondMaxConnectionsAtOnceAndKeepServing() throws Exception
    {
        final List<Socket> held = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).maxConnections(MAX_CONNECTIONS)))
        {
            for (int i = 0; i < MAX_CONNECTIONS; i++)
            {
                final Socket client = Clients.connect(proxy);
                held.add(client);
                Clients.assertEchoes(client, "held " + i);
            }
            assertEquals(MAX_CONNECTIONS, proxy.activeConnections());

            try (Socket excess = Clients.connect(proxy))
            {
                final Clients.End end = Clients.awaitEnd(excess, Duration.ofSeconds(30));
                assertNotEquals(Clients.End.STILL_OPEN, end, "the excess client is closed at once");
            }
            MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "one rejected connection", (s) -> s.rejectedConnections() == 1);
            assertEquals(MAX_CONNECTIONS, snapshot.totalConnections(), "a rejected client is not counted as accepted");
            assertEquals(0, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));

            for (int i = 0; i < MAX_CONNECTIONS; i++)
            {
                Clients.assertEchoes(held.get(i), "still relaying " + i);
            }

            held.remove(0).close();
            Await.until("a slot to free up", () -> proxy.activeConnections() == MAX_CONNECTIONS - 1);
            try (Socket replacement = Clients.connect(proxy))
            {
                Clients.assertEchoes(replacement, "accepted again");
                assertEquals(MAX_CONNECTIONS, proxy.activeConnections());
            }

            snapshot = ProxyAwait.metrics(proxy, "the replacement's close", (s) -> ProxyAwait.totalCloses(s) == 2);
            assertEquals(1, snapshot.rejectedConnections());
            assertEquals(MAX_CONNECTIONS + 1, snapshot.totalConnections());
            assertEquals(2, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
        }
        finally
        {
            for (final Socket client : held)
            {
                client.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseIdleConnectionAfterIdleTimeoutButNotBusyOne() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).idleTimeoutSecs(IDLE_TIMEOUT_SECS));
            Socket idle = Clients.connect(proxy);
            Socket busy = Clients.connect(proxy))
        {
            // the busy connection talks far more often than the idle timeout until the idle one has been closed
            final AtomicBoolean idleClosed = new AtomicBoolean();
            final CompletableFuture<Integer> busyDone = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    int sent = 0;
                    while (!idleClosed.get())
                    {
                        Clients.assertEchoes(busy, Integer.toString(sent++ % 10));
                        LockSupport.parkNanos(Streams.millis(100));
                    }
                    return sent;
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            final long beforeLastActivityNs = System.nanoTime();
            Clients.assertEchoes(idle, "then silence");

            // the proxy cut a stream that had not ended: the client must see a reset, never a clean EOF
            assertEquals(Clients.End.RESET, Clients.awaitEnd(idle, Duration.ofSeconds(30)));
            final long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - beforeLastActivityNs);
            idleClosed.set(true);
            // a lower bound only: a busy machine may close it late, never early (the timer wheel ticks allow a little)
            assertTrue(idleMs >= IDLE_TIMEOUT_SECS * 1000L - 100, "idle connection closed after " + idleMs + " ms");

            assertTrue(busyDone.get(30, TimeUnit.SECONDS) > 0);
            Clients.assertEchoes(busy, "still open after the idle one was closed");
            MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "the idle close to be counted",
                (s) -> ProxyAwait.totalCloses(s) == 1);
            assertEquals(1, snapshot.closes(CloseReason.IDLE_TIMEOUT), ProxyAwait.describe(snapshot));
            assertEquals(1, snapshot.activeConnections(), ProxyAwait.describe(snapshot));

            busy.shutdownOutput();
            assertEquals(Clients.End.EOF, Clients.awaitEnd(busy, Duration.ofSeconds(30)));
            snapshot = ProxyAwait.closed(proxy, 2);
            assertEquals(1, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
            assertEquals(1, snapshot.closes(CloseReason.IDLE_TIMEOUT), ProxyAwait.describe(snapshot));
        }
    }
}
