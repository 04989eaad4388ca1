package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tcpproxy.relay.Streams.KIB;
import static io.tcpproxy.relay.Streams.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HalfCloseTest
{
    private static final int REQUEST_BYTES = 64 * KIB;
    private static final int AFTER_FIN_BYTES = MIB;

    @Test
    @Timeout(30)
    void shouldDeliverEverythingTheUpstreamSendsAfterTheClientShutsDownItsOutput() throws Exception
    {
        final CompletableFuture<Streams.Received> atUpstream = new CompletableFuture<>();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            atUpstream.complete(Streams.readAll(socket.getInputStream()));
            Streams.sendRandom(socket.getOutputStream(), AFTER_FIN_BYTES, 7);
            socket.shutdownOutput();
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket client = Clients.connect(proxy))
        {
            Streams.sendRandom(client.getOutputStream(), REQUEST_BYTES, 3);
            client.shutdownOutput();

            final Streams.Received atClient = Streams.readAll(client.getInputStream());

            assertEquals(new Streams.Received(AFTER_FIN_BYTES, Streams.randomSha256(AFTER_FIN_BYTES, 7)), atClient);
            assertEquals(new Streams.Received(REQUEST_BYTES, Streams.randomSha256(REQUEST_BYTES, 3)),
                atUpstream.get(10, TimeUnit.SECONDS));
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 1);
            assertEquals(1, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
            assertEquals(REQUEST_BYTES, snapshot.bytesUpstream());
            assertEquals(AFTER_FIN_BYTES, snapshot.bytesDownstream());
            assertEquals(List.of(), upstream.errors());
        }
    }

    @Test
    @Timeout(30)
    void shouldDeliverEverythingTheClientSendsAfterTheUpstreamShutsDownItsOutput() throws Exception
    {
        final CompletableFuture<Streams.Received> atUpstream = new CompletableFuture<>();
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            Streams.sendRandom(socket.getOutputStream(), REQUEST_BYTES, 5);
            socket.shutdownOutput();
            atUpstream.complete(Streams.readAll(socket.getInputStream()));
        });
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket client = Clients.connect(proxy))
        {
            final Streams.Received atClient = Streams.readAll(client.getInputStream());
            assertEquals(new Streams.Received(REQUEST_BYTES, Streams.randomSha256(REQUEST_BYTES, 5)), atClient);

            Streams.sendRandom(client.getOutputStream(), AFTER_FIN_BYTES, 9);
            client.shutdownOutput();

            assertEquals(new Streams.Received(AFTER_FIN_BYTES, Streams.randomSha256(AFTER_FIN_BYTES, 9)),
                atUpstream.get(10, TimeUnit.SECONDS));
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 1);
            assertEquals(1, snapshot.closes(CloseReason.UPSTREAM_FIN), ProxyAwait.describe(snapshot));
            assertEquals(AFTER_FIN_BYTES, snapshot.bytesUpstream());
            assertEquals(REQUEST_BYTES, snapshot.bytesDownstream());
            assertEquals(List.of(), upstream.errors());
        }
    }
}
