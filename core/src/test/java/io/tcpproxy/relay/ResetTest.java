package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.tcpproxy.relay.Streams.KIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A reset on one side ends only its own connection, with the right reason, and is passed on as a reset.
 */
class ResetTest
{
    private static final int ECHO = 'E';
    private static final int RESET_AFTER_SENDING = 'R';
    private static final int SINK = 'S';
    private static final int STREAM_BYTES = 256 * KIB;
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    private final CompletableFuture<Clients.End> sinkEnd = new CompletableFuture<>();

    @Test
    @Timeout(30)
    void shouldResetClientWhenUpstreamResetsMidStreamAndLeaveOtherConnectionsAlone() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.start(this::dispatch);
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket bystander = Clients.connect(proxy);
            Socket victim = Clients.connect(proxy))
        {
            bystander.getOutputStream().write(ECHO);
            Clients.assertEchoes(bystander, "before");

            victim.getOutputStream().write(RESET_AFTER_SENDING);
            assertEquals(Clients.End.RESET, Clients.awaitEnd(victim, PROMPTLY));
            final MetricsSnapshot reset = ProxyAwait.metrics(proxy, "an upstream reset",
                (s) -> s.closes(CloseReason.UPSTREAM_RESET) == 1);
            assertEquals(1, ProxyAwait.totalCloses(reset), ProxyAwait.describe(reset));

            Clients.assertEchoes(bystander, "after the other connection was reset");
            assertEquals(1, proxy.activeConnections());
            bystander.shutdownOutput();
            assertEquals(Clients.End.EOF, Clients.awaitEnd(bystander, PROMPTLY));
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 2);
            assertEquals(1, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
            assertEquals(1, snapshot.closes(CloseReason.UPSTREAM_RESET), ProxyAwait.describe(snapshot));
        }
    }

    @Test
    @Timeout(30)
    void shouldAbortUpstreamWhenClientResetsMidStreamAndLeaveOtherConnectionsAlone() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.start(this::dispatch);
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket bystander = Clients.connect(proxy);
            Socket victim = Clients.connect(proxy))
        {
            bystander.getOutputStream().write(ECHO);
            Clients.assertEchoes(bystander, "before");

            victim.getOutputStream().write(SINK);
            Streams.sendRandom(victim.getOutputStream(), STREAM_BYTES, 1);
            Await.until("the upstream to receive part of the stream", () -> proxy.metrics().bytesUpstream() > 1);
            TestUpstream.reset(victim);

            assertEquals(Clients.End.RESET, sinkEnd.get(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS),
                "the upstream sees an abort, not a clean end of a truncated stream");
            final MetricsSnapshot reset = ProxyAwait.metrics(proxy, "a client reset",
                (s) -> s.closes(CloseReason.CLIENT_RESET) == 1);
            assertEquals(1, ProxyAwait.totalCloses(reset), ProxyAwait.describe(reset));

            Clients.assertEchoes(bystander, "after the other connection was reset");
            assertEquals(1, proxy.activeConnections());
            bystander.shutdownOutput();
            assertEquals(Clients.End.EOF, Clients.awaitEnd(bystander, PROMPTLY));
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 2);
            assertEquals(1, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
            assertEquals(1, snapshot.closes(CloseReason.CLIENT_RESET), ProxyAwait.describe(snapshot));
        }
    }

    private void dispatch(final Socket socket) throws Exception
    {
        final int mode = socket.getInputStream().read();
        switch (mode)
        {
            case ECHO:
                TestUpstream.echo(socket);
                break;
            case RESET_AFTER_SENDING:
                Streams.sendRandom(socket.getOutputStream(), STREAM_BYTES, 2);
                TestUpstream.reset(socket);
                break;
            case SINK:
                sinkEnd.complete(drain(socket.getInputStream()));
                break;
            default:
                throw new IllegalStateException("unexpected mode " + mode);
        }
    }

    private static Clients.End drain(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[16 * KIB];
        try
        {
            while (in.read(buffer) >= 0)
            {
                // discard
            }
            return Clients.End.EOF;
        }
        catch (final SocketException ex)
        {
            return Clients.End.RESET;
        }
    }
}
