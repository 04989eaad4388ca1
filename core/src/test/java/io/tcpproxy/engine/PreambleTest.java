package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.config.Route;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.engine.admission.AccessGate;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.protocol.ClientHellos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static io.tcpproxy.engine.WorkerHarness.localAddress;
import static io.tcpproxy.engine.WorkerHarness.upstreamListener;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The preamble chain on one hand-driven worker with a fake clock: PROXY headers accepted (trusted sources only, the
 * real client taken from them, the first bytes after them relayed, a late or broken one closed), the ClientHello
 * peek choosing a pool (or the default pool, or a close), each step's own deadline, and the header sent upstream.
 */
class PreambleTest
{
    private static final int IDLE_TIMEOUT_SECS = 600;

    @Test
    @Timeout(60)
    void shouldTakeTheRealClientFromAV1HeaderAndRelayTheBytesThatFollowItInTheSameSegment() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("127.0.0.1/32"), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.sendPreamble(
                client, ascii("PROXY TCP4 10.1.2.3 192.0.2.7 5555 443\r\nhello"), Connection.OPEN);
            assertArrayEquals(new byte[] { 10, 1, 2, 3 }, connection.sourceAddress);
            assertEquals(5555, connection.sourcePort);
            try (SocketChannel upstream = upstreamListener.accept())
            {
                assertEquals("hello", relayed(harness, upstream, 5));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRelayBytesThatFollowAHeaderReadOnItsOwn() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("127.0.0.1/32"), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
            final byte[] v2 = {
                0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c,
                127, 0, 0, 2, 127, 0, 0, 1, (byte)0xca, (byte)0x85, (byte)0x9b, (byte)0x8f };
            client.write(ByteBuffer.wrap(v2));
            harness.cycleUntil("the upstream connected", () -> connection.state == Connection.OPEN);
            assertArrayEquals(new byte[] { 127, 0, 0, 2 }, connection.sourceAddress);
            try (SocketChannel upstream = upstreamListener.accept())
            {
                client.write(ascii("after"));
                client.shutdownOutput();
                assertEquals("after", relayed(harness, upstream, 5));
                upstream.write(ascii("ok"));
                upstream.shutdownOutput();
                assertEquals("ok", relayed(harness, client, 2));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseAClientOutsideTheTrustedSourcesAtOnce() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("10.0.0.0/8"), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            harness.cycleUntil("the close", () -> harness.worker.table().size() == 0);
            harness.cycles(2); // NIO completes the close of a registered channel at the next select
            assertEquals(-1, readBlocking(client));
            assertNull(nonBlockingAccept(upstreamListener), "an untrusted client must not reach the upstream");
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseALateHeaderAtTheHeaderTimeoutNotTheIdleTimeout() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("127.0.0.1/32").proxyProtocolTimeoutMs(3000),
                localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
            client.write(ascii("PROXY TCP4 10.1."));
            harness.cycles(3);
            harness.advance(Duration.ofMillis(2900));
            harness.cycles(2);
            assertEquals(Connection.PREAMBLE, connection.state, "closed before its deadline");
            harness.advance(Duration.ofMillis(200));
            harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
            assertEquals(CloseReason.PROXY_PROTOCOL_ERROR, connection.closeReason);
            assertEquals(0, connection.connectStartNs, "a late header must not connect upstream");
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseAMalformedOrTruncatedHeaderAsAProxyProtocolError() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("127.0.0.1/32"), localAddress(upstreamListener)))
        {
            try (SocketChannel client = harness.connectClient())
            {
                // no header: never guessed to be the client's data
                final Connection connection = harness.sendPreamble(client, ascii("GET / HTTP/1.1\r\n\r\n"),
                    Connection.CLOSED);
                assertEquals(CloseReason.PROXY_PROTOCOL_ERROR, connection.closeReason);
            }
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
                client.write(ascii("PROXY TCP4 10.1.2.3"));
                client.shutdownOutput();
                harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
                assertEquals(CloseReason.PROXY_PROTOCOL_ERROR, connection.closeReason);
            }
            assertNull(nonBlockingAccept(upstreamListener));
        }
    }

    @Test
    @Timeout(60)
    void shouldJudgeTheRealClientAtTheAccessGateAfterTheHeader() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(accepting("127.0.0.1/32"), localAddress(upstreamListener)))
        {
            final int[] released = new int[1];
            harness.context.accessGate = new AccessGate()
            {
                public CloseReason admit(final Connection connection, final long nowNs)
                {
                    return connection.sourceAddress[0] == 10 ? CloseReason.DENIED : null;
                }

                public void release(final Connection connection)
                {
                    released[0]++;
                }
            };
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.sendPreamble(
                    client, ascii("PROXY TCP4 10.1.2.3 192.0.2.7 5555 443\r\n"), Connection.CLOSED);
                assertEquals(CloseReason.DENIED, connection.closeReason);
            }
            final SocketChannel client = harness.connectClient();
            final Connection connection = harness.sendPreamble(
                client, ascii("PROXY TCP4 192.0.2.1 192.0.2.7 5555 443\r\n"), Connection.OPEN);
            final SocketChannel upstream = upstreamListener.accept();
            try
            {
                client.close();
                upstream.close();
                harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
                assertEquals(1, released[0], "an admitted client is released once when it closes");
            }
            finally
            {
                upstream.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRouteByServerNameAndRelayTheHelloUntouched() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("api.example.com");
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(routing(""), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
            client.write(ByteBuffer.wrap(hello, 0, 7)); // the record header and a little: not enough to route
            harness.cycles(3);
            assertEquals(Connection.PREAMBLE, connection.state);
            client.write(ByteBuffer.wrap(hello, 7, hello.length - 7));
            harness.cycleUntil("the upstream connected", () -> connection.state == Connection.OPEN);
            assertEquals(1, connection.poolIndex, "pool \"api\" is the second in config order");
            try (SocketChannel upstream = upstreamListener.accept())
            {
                assertArrayEquals(hello, relayedBytes(harness, upstream, hello.length));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseWithNoRouteOrNotTlsWithoutADefaultPool() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(routing(""), localAddress(upstreamListener)))
        {
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.sendPreamble(
                    client, ByteBuffer.wrap(ClientHellos.fromJdk("other.example.org")), Connection.CLOSED);
                assertEquals(CloseReason.NO_ROUTE, connection.closeReason);
            }
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.sendPreamble(client, ascii("GET / HTTP/1.1\r\n"),
                    Connection.CLOSED);
                assertEquals(CloseReason.TLS_NOT_TLS, connection.closeReason);
            }
            assertNull(nonBlockingAccept(upstreamListener));
        }
    }

    @Test
    @Timeout(60)
    void shouldTimeTheHelloOutToTheDefaultPoolOrCloseWithTlsTimeout() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("api.example.com");
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(routing("").sniPeekTimeoutMs(5000), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
            client.write(ByteBuffer.wrap(hello, 0, 10));
            harness.cycles(3);
            harness.advance(Duration.ofMillis(4990));
            harness.cycles(2);
            assertEquals(Connection.PREAMBLE, connection.state, "closed before its deadline");
            harness.advance(Duration.ofMillis(100)); // past the deadline by more than a timer-wheel tick
            harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
            assertEquals(CloseReason.TLS_TIMEOUT, connection.closeReason);
        }

        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(routing("web").sniPeekTimeoutMs(5000),
                localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
            client.write(ByteBuffer.wrap(hello, 0, 10));
            harness.cycles(3);
            harness.advance(Duration.ofMillis(5100));
            harness.cycleUntil("the upstream connected", () -> connection.state == Connection.OPEN);
            assertEquals(0, connection.poolIndex, "the default pool \"web\" is the first");
            try (SocketChannel upstream = upstreamListener.accept())
            {
                assertArrayEquals(Arrays.copyOf(hello, 10), relayedBytes(harness, upstream, 10),
                    "the bytes the peek saw go to the default pool untouched");
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldPassTheReceivedClientOnInAV2HeaderBeforeTheHello() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("api.example.com");
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        sent.writeBytes(ascii("PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\n").array());
        sent.writeBytes(hello);
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                routing("").acceptProxyProtocol(true).proxyProtocolTrusted(List.of("127.0.0.0/8"))
                    .sendProxyProtocol(SendProxyProtocol.V2), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            // header and hello in one segment
            final Connection connection = harness.sendPreamble(client, ByteBuffer.wrap(sent.toByteArray()),
                Connection.OPEN);
            assertEquals(1, connection.poolIndex);
            assertArrayEquals(InetAddress.getByName("2001:db8::1").getAddress(), connection.sourceAddress);
            try (SocketChannel upstream = upstreamListener.accept())
            {
                final byte[] got = relayedBytes(harness, upstream, 16 + 36 + hello.length);
                final ByteBuffer header = ByteBuffer.wrap(got);
                header.position(12);
                assertEquals(0x21, header.get() & 0xFF, "v2 PROXY");
                assertEquals(0x21, header.get() & 0xFF, "TCP over IPv6");
                assertEquals(36, header.getShort());
                final byte[] source = new byte[16];
                header.get(source);
                assertArrayEquals(InetAddress.getByName("2001:db8::1").getAddress(), source);
                header.position(16 + 32);
                assertEquals(40000, header.getShort() & 0xFFFF);
                assertEquals(443, header.getShort() & 0xFFFF);
                assertArrayEquals(hello, Arrays.copyOfRange(got, 52, got.length));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRouteByAlpnAndPeekAHelloLargerThanARelayBufferButNotOneOverTheLimit() throws Exception
    {
        final String[] manyProtocols = new String[40]; // about 800 bytes of ALPN: the peek keeps the first 16
        manyProtocols[0] = "h2";
        for (int i = 1; i < manyProtocols.length; i++)
        {
            manyProtocols[i] = "protocol-number-" + i;
        }
        final byte[] largeHello = ClientHellos.fromJdk("grpc.example.com", manyProtocols);
        final byte[] plainHello = ClientHellos.fromJdk("grpc.example.com");
        final ConfigBuilder config = routing("").bufferSizeBytes(512)
            .route(Route.builder().sni(List.of("grpc.example.com")).alpn(List.of("h2")).pool("api").build());
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(config, localAddress(upstreamListener)))
        {
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.sendPreamble(client, ByteBuffer.wrap(largeHello),
                    Connection.OPEN);
                assertEquals(1, connection.poolIndex, "h2 offered: the ALPN route to \"api\"");
                try (SocketChannel upstream = upstreamListener.accept())
                {
                    assertArrayEquals(largeHello, relayedBytes(harness, upstream, largeHello.length),
                        "a " + largeHello.length + "-byte hello peeked in a grown buffer, relayed untouched");
                }
            }
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.sendPreamble(client, ByteBuffer.wrap(plainHello),
                    Connection.CLOSED);
                assertEquals(CloseReason.NO_ROUTE, connection.closeReason, "h2 not offered, no default pool");
            }
        }
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(routing("").sniPeekMaxBytes(1024), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.sendPreamble(client, ByteBuffer.wrap(largeHello), Connection.CLOSED);
            assertEquals(CloseReason.TLS_TOO_LARGE, connection.closeReason, largeHello.length + " bytes");
        }
    }

    private static ConfigBuilder accepting(final String trusted)
    {
        return Config.builder().idleTimeoutSecs(IDLE_TIMEOUT_SECS).acceptProxyProtocol(true)
            .proxyProtocolTrusted(List.of(trusted));
    }

    /** Pools "web" (first) and "api"; api.example.com routes to api. */
    private static ConfigBuilder routing(final String defaultPool)
    {
        return Config.builder().idleTimeoutSecs(IDLE_TIMEOUT_SECS)
            .upstream(Upstream.builder().addr("127.0.0.1:1").pool("web").build())
            .upstream(Upstream.builder().addr("127.0.0.1:2").pool("api").build())
            .route(Route.builder().sni(List.of("api.example.com")).pool("api").build())
            .sniDefaultPool(defaultPool);
    }

    private static SocketChannel nonBlockingAccept(final ServerSocketChannel listener) throws IOException
    {
        listener.configureBlocking(false);
        try
        {
            return listener.accept();
        }
        finally
        {
            listener.configureBlocking(true);
        }
    }

    private static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String relayed(final WorkerHarness harness, final SocketChannel from, final int bytes)
        throws IOException
    {
        return new String(relayedBytes(harness, from, bytes), StandardCharsets.US_ASCII);
    }

    /** Cycle the worker until {@code bytes} bytes arrived on {@code from}. */
    private static byte[] relayedBytes(final WorkerHarness harness, final SocketChannel from, final int bytes)
        throws IOException
    {
        from.configureBlocking(false);
        final ByteBuffer buffer = ByteBuffer.allocate(bytes);
        final IOException[] failure = new IOException[1];
        harness.cycleUntil(bytes + " bytes relayed", () ->
        {
            try
            {
                return from.read(buffer) < 0 || !buffer.hasRemaining();
            }
            catch (final IOException ex)
            {
                failure[0] = ex;
                return true;
            }
        });
        if (failure[0] != null)
        {
            throw failure[0];
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static int readBlocking(final SocketChannel channel) throws IOException
    {
        channel.configureBlocking(true);
        return channel.read(ByteBuffer.allocate(1));
    }
}
