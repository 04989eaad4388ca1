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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.tcpproxy.relay.Streams.KIB;
import static io.tcpproxy.relay.Streams.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackPressureTest
{
    private static final long SLOW_READER_PAUSE_NS = Streams.millis(1);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(60);

    @Test
    @Timeout(60)
    void shouldHoldAtMostTwoBuffersWhileSlowClientReceives200MiB() throws Exception
    {
        final long streamBytes = 200L * MIB;
        final int bufferBytes = 16 * KIB;
        final CompletableFuture<String> sent = new CompletableFuture<>();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            sent.complete(Streams.sendRandom(socket.getOutputStream(), streamBytes, 42));
            socket.shutdownOutput();
            Streams.readAll(socket.getInputStream());
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream)
                .workers(1)
                .bufferSizeBytes(bufferBytes)
                .bufferPoolMb(1));
            Socket client = Clients.connect(proxy))
        {
            final Streams.Received received =
                Streams.readAll(client.getInputStream(), SLOW_READER_PAUSE_NS, new AtomicLong());
            client.shutdownOutput();

            assertEquals(streamBytes, received.bytes());
            assertEquals(sent.get(10, TimeUnit.SECONDS), received.sha256());
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 1);
            assertEquals(1, snapshot.closes(CloseReason.UPSTREAM_FIN), ProxyAwait.describe(snapshot));
            assertEquals(streamBytes, snapshot.bytesDownstream());
            assertEquals(MIB, snapshot.bufferBytesLimit());
            assertTrue(snapshot.bufferBytesHighWater() >= bufferBytes, "buffers were used at all");
            // a bulk flow reads into one large buffer (RelayBuffers.MAX_LARGE_BUFFER_BYTES) instead of an ordinary one
            assertTrue(snapshot.bufferBytesHighWater() <= 2L * 256 * 1024,
                "one connection holds at most one buffer per direction, held " + snapshot.bufferBytesHighWater());
        }
    }

    @Test
    @Timeout(180)
    void shouldPauseReadingWhenPoolIsExhaustedAndStillCompleteEveryStream() throws Exception
    {
        final int connections = 8;
        final long streamBytes = 16L * MIB;
        final int bufferBytes = 256 * KIB;
        final Set<String> upstreamSent = ConcurrentHashMap.newKeySet();
        final AtomicLong seeds = new AtomicLong(500);
        final ExecutorService readers = Executors.newFixedThreadPool(connections);
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            upstreamSent.add(Streams.sendRandom(socket.getOutputStream(), streamBytes, seeds.getAndIncrement()));
            socket.shutdownOutput();
            Streams.readAll(socket.getInputStream());
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream)
                .workers(1)
                .bufferSizeBytes(bufferBytes)
                .bufferPoolMb(1)))
        {
            // The clients read nothing until the pool is seen exhausted: 8 streams of 16 MiB overfill the socket
            // buffers, so every connection holds its buffer and the pool (4 buffers) runs out whatever the timing.
            final CountDownLatch startReading = new CountDownLatch(1);
            final List<Future<Streams.Received>> received = new ArrayList<>();
            for (int i = 0; i < connections; i++)
            {
                final Socket client = Clients.connect(proxy);
                received.add(readers.submit(() ->
                {
                    try (client)
                    {
                        startReading.await();
                        return Streams.readAll(client.getInputStream(), SLOW_READER_PAUSE_NS, new AtomicLong());
                    }
                }));
            }
            final MetricsSnapshot[] last = new MetricsSnapshot[1];
            Await.until("the pool to be exhausted while the clients read nothing", () ->
            {
                last[0] = proxy.metrics();
                return last[0].bufferBytesLimit() > 0 && last[0].bufferBytesInUse() == last[0].bufferBytesLimit();
            }, STALL_TIMEOUT, () -> ProxyAwait.describe(last[0]));
            assertEquals(4L * bufferBytes, last[0].bufferBytesLimit());
            startReading.countDown();

            final Set<String> receivedByClients = ConcurrentHashMap.newKeySet();
            for (final Future<Streams.Received> result : received)
            {
                final Streams.Received r = result.get(120, TimeUnit.SECONDS);
                assertEquals(streamBytes, r.bytes());
                receivedByClients.add(r.sha256());
            }
            Await.until("every upstream handler to finish", () -> upstream.finished() == connections);
            assertEquals(connections, upstreamSent.size());
            assertEquals(upstreamSent, receivedByClients);

            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, connections);
            assertEquals(connections, snapshot.closes(CloseReason.UPSTREAM_FIN), ProxyAwait.describe(snapshot));
            assertEquals(4L * bufferBytes, snapshot.bufferBytesLimit());
            assertEquals(snapshot.bufferBytesLimit(), snapshot.bufferBytesHighWater(),
                "the pool was exhausted at some point (otherwise this test proves nothing)");
        }
        finally
        {
            readers.shutdownNow();
            assertTrue(readers.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(30)
    void shouldHoldNoBufferForIdleConnections() throws Exception
    {
        final int connections = 50;
        final List<Socket> clients = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream)))
        {
            for (int i = 0; i < connections; i++)
            {
                final Socket client = Clients.connect(proxy);
                clients.add(client);
                Clients.assertEchoes(client, "then idle " + i);
            }
            final long echoedBytes = sumOfEchoedBytes(connections);
            final MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "every echo counted",
                (s) -> s.bytesDownstream() == echoedBytes && s.activeConnections() == connections);
            assertEquals(0, snapshot.bufferBytesInUse(), "idle connections hold no relay buffer");
            assertTrue(snapshot.bufferBytesHighWater() > 0, "buffers were used while relaying");
        }
        finally
        {
            for (final Socket client : clients)
            {
                client.close();
            }
        }
    }

    private static long sumOfEchoedBytes(final int connections)
    {
        long bytes = 0;
        for (int i = 0; i < connections; i++)
        {
            bytes += ("then idle " + i).length();
        }
        return bytes;
    }
}
