package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.tcpproxy.relay.Streams.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsExactnessTest
{
    @Test
    @Timeout(30)
    void shouldReportExactBytesAndConnectionsPerDirectionPerWorkerAndPerClient() throws Exception
    {
        final int clients = 3;
        final int upBytes = 100_000;
        final int downBytes = 250_000;
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            final Streams.Received request = Streams.readAll(socket.getInputStream());
            if (request.bytes() != upBytes)
            {
                throw new IllegalStateException("upstream got " + request.bytes() + " bytes");
            }
            Streams.sendRandom(socket.getOutputStream(), downBytes, 77);
            socket.shutdownOutput();
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(2).metricsClientTopK(10)))
        {
            for (int i = 0; i < clients; i++)
            {
                try (Socket client = Clients.connect(proxy))
                {
                    Streams.sendRandom(client.getOutputStream(), upBytes, i);
                    client.shutdownOutput();
                    assertEquals(downBytes, Streams.readAll(client.getInputStream()).bytes());
                }
            }

            final MetricsSnapshot s = ProxyAwait.closed(proxy, clients);
            assertEquals(clients, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(clients, s.totalConnections());
            assertEquals((long)clients * upBytes, s.bytesUpstream());
            assertEquals((long)clients * downBytes, s.bytesDownstream());
            assertWorkersSumToTotals(s);
            assertEquals(clients, s.connectionDuration().count());
            assertEquals(clients, s.upstreamConnectTime().count());

            assertEquals(1, s.topClients().size(), s.topClients().toString());
            assertEquals(new TrafficStats("127.0.0.1", 0, clients, (long)clients * upBytes, (long)clients * downBytes),
                s.topClients().get(0));
            assertEquals(new TrafficStats("other", 0, 0, 0, 0), s.otherClients());
            assertEquals(List.of(), upstream.errors());
        }
    }

    /**
     * On two cores the collector drains a 16-event ring as fast as the workers fill it (it polls without pausing
     * while there is work), so traffic alone does not overflow it reliably. Here the collector is stalled on a
     * blocked console while 50 connections relay 2 MiB each way: the relay must not wait for it, nothing may be
     * lost, and the overflows must be counted.
     */
    @Test
    @Timeout(60)
    void shouldKeepTotalsExactWhenTheRingIsTinyTrafficHeavyAndTheCollectorStalled() throws Exception
    {
        final int connections = 50;
        final int streamBytes = 2 * MIB;
        final StalledConsole console = new StalledConsole();
        final ExecutorService threads = Executors.newFixedThreadPool(2 * connections);
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = Proxy.start(TestProxies.configFor(upstream)
                .workers(2)
                .channelBufferSize(16)
                .logEvents(LogEvents.CONNECTIONS)
                .build(), console.stream()))
        {
            final List<Future<String>> sent = new ArrayList<>();
            final List<Future<Streams.Received>> received = new ArrayList<>();
            final List<Socket> sockets = new ArrayList<>();
            try
            {
                for (int i = 0; i < connections; i++)
                {
                    final Socket client = Clients.connect(proxy);
                    sockets.add(client);
                    final long seed = 100 + i;
                    sent.add(threads.submit(() ->
                    {
                        final String sha = Streams.sendRandom(client.getOutputStream(), streamBytes, seed);
                        client.shutdownOutput();
                        return sha;
                    }));
                    final InputStream in = client.getInputStream();
                    received.add(threads.submit(() -> Streams.readAll(in)));
                }
                for (int i = 0; i < connections; i++)
                {
                    final Streams.Received echoed = received.get(i).get(40, TimeUnit.SECONDS);
                    assertEquals(new Streams.Received(streamBytes, sent.get(i).get()), echoed);
                }
                assertTrue(console.isStalling(), "the collector was stalled for the whole transfer");
                assertEquals(0, proxy.metrics().totalConnections(), "no snapshot while the collector is stalled");
            }
            finally
            {
                console.release();
                for (final Socket socket : sockets)
                {
                    socket.close();
                }
            }

            final MetricsSnapshot s = ProxyAwait.closed(proxy, connections);
            assertEquals(connections, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(connections, s.totalConnections());
            assertEquals((long)connections * streamBytes, s.bytesUpstream());
            assertEquals((long)connections * streamBytes, s.bytesDownstream());
            assertWorkersSumToTotals(s);
            assertTrue(s.ringFullCount() > 0, "a 16-event ring overflowed: " + ProxyAwait.describe(s));
        }
        finally
        {
            console.release();
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private static void assertWorkersSumToTotals(final MetricsSnapshot s)
    {
        long active = 0;
        long total = 0;
        long up = 0;
        long down = 0;
        for (final TrafficStats worker : s.workers())
        {
            active += worker.activeConnections();
            total += worker.totalConnections();
            up += worker.bytesUpstream();
            down += worker.bytesDownstream();
        }
        assertEquals(2, s.workers().size());
        assertEquals(s.activeConnections(), active);
        assertEquals(s.totalConnections(), total);
        assertEquals(s.bytesUpstream(), up);
        assertEquals(s.bytesDownstream(), down);
    }
}
