package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.tcpproxy.relay.Streams.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Graceful shutdown through the Java API: in-flight transfers finish, new clients are refused, stragglers are
 * closed at the deadline.
 */
class ShutdownTest
{
    @Test
    @Timeout(60)
    void shouldLetInFlightTransferFinishAndRefuseNewClientsDuringGracefulShutdown() throws Exception
    {
        final long streamBytes = 32L * MIB;
        final ConsoleCapture console = new ConsoleCapture();
        final CompletableFuture<String> sent = new CompletableFuture<>();
        final AtomicLong progress = new AtomicLong();
        final ExecutorService threads = Executors.newFixedThreadPool(2);
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            sent.complete(Streams.sendRandom(socket.getOutputStream(), streamBytes, 21));
            socket.shutdownOutput();
            Streams.readAll(socket.getInputStream());
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream), console))
        {
            final Socket client = Clients.connect(proxy);
            final Future<Streams.Received> received = threads.submit(() ->
            {
                try (client)
                {
                    return Streams.readAll(client.getInputStream(), Streams.millis(2), progress);
                }
            });
            Await.until("the transfer to be under way", () -> progress.get() >= MIB);

            final long shutdownStartNs = System.nanoTime();
            final Future<?> shutdown = threads.submit(() -> proxy.shutdown(Duration.ofSeconds(10)));
            console.awaitLine("stopped accepting; waiting up to 10s for 1 connection");
            assertTrue(progress.get() < streamBytes, "the transfer was still running when shutdown began");
            assertThrows(ConnectException.class, () -> Clients.connect(proxy).close());

            final Streams.Received r = received.get(30, TimeUnit.SECONDS);
            assertEquals(streamBytes, r.bytes());
            assertEquals(sent.get(), r.sha256());
            shutdown.get(10, TimeUnit.SECONDS);
            final long shutdownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - shutdownStartNs);
            assertTrue(shutdownMs < 5000, "shutdown returned as soon as the connection ended, took " + shutdownMs);

            assertTrue(console.contains("[SHUTDOWN] all connections closed"), console.text());
            assertTrue(console.contains("[METRICS] final: active: 0 | total: 1 |"), console.text());
            final MetricsSnapshot snapshot = proxy.metrics();
            assertEquals(1, snapshot.closes(CloseReason.UPSTREAM_FIN), ProxyAwait.describe(snapshot));
            assertEquals(1, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));
            assertEquals(streamBytes, snapshot.bytesDownstream());
            assertTrue(snapshot.draining());
            assertEquals(List.of(), upstream.errors());
        }
        finally
        {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(30)
    void shouldCloseConnectionThatNeverEndsAtTheGraceDeadline() throws Exception
    {
        final ConsoleCapture console = new ConsoleCapture();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream), console);
            Socket client = Clients.connect(proxy))
        {
            Clients.assertEchoes(client, "I never finish");

            final long startNs = System.nanoTime();
            proxy.shutdown(Duration.ofSeconds(1));
            final long shutdownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertTrue(shutdownMs >= 950 && shutdownMs < 3000, "shutdown took " + shutdownMs + " ms for a 1 s grace");
            assertEquals(Clients.End.RESET, Clients.awaitEnd(client, Duration.ofSeconds(2)));
            final String text = console.text();
            assertTrue(text.contains("[SHUTDOWN] stopped accepting; waiting up to 1s for 1 connection"), text);
            assertTrue(text.contains("[SHUTDOWN] grace period over: closing 1 connection"), text);
            assertTrue(text.contains("[METRICS] final: active: 0 | total: 1 |"), text);
            final MetricsSnapshot snapshot = proxy.metrics();
            assertEquals(1, snapshot.closes(CloseReason.SHUTDOWN), ProxyAwait.describe(snapshot));
            assertEquals(1, ProxyAwait.totalCloses(snapshot), ProxyAwait.describe(snapshot));
        }
    }

    @Test
    @Timeout(30)
    void shouldEndGracePeriodEarlyWhenClosedDuringShutdown() throws Exception
    {
        final ConsoleCapture console = new ConsoleCapture();
        final ExecutorService threads = Executors.newSingleThreadExecutor();
        try (TestUpstream upstream = TestUpstream.echo())
        {
            final Proxy proxy = TestProxies.start(TestProxies.configFor(upstream), console);
            try (Socket client = Clients.connect(proxy))
            {
                Clients.assertEchoes(client, "I never finish");
                final Future<?> graceful = threads.submit(() -> proxy.shutdown(Duration.ofSeconds(30)));
                console.awaitLine("stopped accepting; waiting up to 30s for 1 connection");

                final long startNs = System.nanoTime();
                proxy.close();
                graceful.get(5, TimeUnit.SECONDS);
                final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

                assertTrue(closeMs < 2000, "close() during a 30 s grace period took " + closeMs + " ms");
                assertEquals(Clients.End.RESET, Clients.awaitEnd(client, Duration.ofSeconds(2)));
                assertTrue(console.contains("[SHUTDOWN] grace period cut short: closing 1 connection"), console.text());
                final MetricsSnapshot snapshot = proxy.metrics();
                assertEquals(1, snapshot.closes(CloseReason.SHUTDOWN), ProxyAwait.describe(snapshot));
            }
            finally
            {
                proxy.close();
            }
        }
        finally
        {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
