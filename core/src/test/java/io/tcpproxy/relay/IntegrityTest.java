package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.tcpproxy.relay.Streams.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntegrityTest
{
    private static final int CONNECTIONS = 100;
    private static final int STREAM_BYTES = MIB;

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    @Timeout(60)
    void shouldRelayHundredConcurrentStreamsIntactInBothDirections(final AcceptMode acceptMode) throws Exception
    {
        final Set<String> upstreamSent = ConcurrentHashMap.newKeySet();
        final Set<String> upstreamReceived = ConcurrentHashMap.newKeySet();
        final AtomicLong upstreamSeeds = new AtomicLong(1_000_000);
        final ExecutorService threads = Executors.newCachedThreadPool();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            final long seed = upstreamSeeds.getAndIncrement();
            final Future<String> sent = threads.submit(() ->
            {
                final String sha = Streams.sendRandom(socket.getOutputStream(), STREAM_BYTES, seed);
                socket.shutdownOutput();
                return sha;
            });
            final Streams.Received received = Streams.readAll(socket.getInputStream());
            upstreamSent.add(sent.get());
            upstreamReceived.add(received.bytes() + ":" + received.sha256());
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(2).acceptMode(acceptMode)))
        {
            final List<Future<String>> clientSent = new ArrayList<>();
            final List<Future<Streams.Received>> clientReceived = new ArrayList<>();
            final List<Socket> sockets = new ArrayList<>();
            try
            {
                for (int i = 0; i < CONNECTIONS; i++)
                {
                    final Socket socket = Clients.connect(proxy);
                    sockets.add(socket);
                    final long seed = i;
                    clientSent.add(threads.submit(() ->
                    {
                        final String sha = Streams.sendRandom(socket.getOutputStream(), STREAM_BYTES, seed);
                        socket.shutdownOutput();
                        return sha;
                    }));
                    final InputStream in = socket.getInputStream();
                    clientReceived.add(threads.submit(() -> Streams.readAll(in)));
                }

                final Set<String> expectedAtUpstream = ConcurrentHashMap.newKeySet();
                for (final Future<String> sent : clientSent)
                {
                    expectedAtUpstream.add(STREAM_BYTES + ":" + sent.get(120, TimeUnit.SECONDS));
                }
                final Set<String> receivedByClients = ConcurrentHashMap.newKeySet();
                for (final Future<Streams.Received> received : clientReceived)
                {
                    final Streams.Received r = received.get(120, TimeUnit.SECONDS);
                    assertEquals(STREAM_BYTES, r.bytes());
                    receivedByClients.add(r.sha256());
                }
                Await.until("every upstream handler to finish", () -> upstream.finished() == CONNECTIONS);

                assertEquals(CONNECTIONS, expectedAtUpstream.size(), "client streams are distinct");
                assertEquals(expectedAtUpstream, upstreamReceived, "what clients sent is what the upstream got");
                assertEquals(CONNECTIONS, upstreamSent.size(), "upstream streams are distinct");
                assertEquals(upstreamSent, receivedByClients, "what the upstream sent is what clients got");
                assertEquals(List.of(), upstream.errors());
            }
            finally
            {
                for (final Socket socket : sockets)
                {
                    socket.close();
                }
            }

            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, CONNECTIONS);
            assertEquals(CONNECTIONS, snapshot.closes(CloseReason.CLIENT_FIN) + snapshot.closes(CloseReason.UPSTREAM_FIN),
                ProxyAwait.describe(snapshot));
            assertEquals(CONNECTIONS, snapshot.totalConnections());
            assertEquals((long)CONNECTIONS * STREAM_BYTES, snapshot.bytesUpstream());
            assertEquals((long)CONNECTIONS * STREAM_BYTES, snapshot.bytesDownstream());
            for (final TrafficStats worker : snapshot.workers())
            {
                assertTrue(worker.totalConnections() > 0, "every worker carries connections: " + snapshot.workers());
            }
        }
        finally
        {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
