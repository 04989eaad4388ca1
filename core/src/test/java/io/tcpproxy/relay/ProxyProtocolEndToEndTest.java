package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.protocol.ProxyHeader;
import io.tcpproxy.protocol.ProxyHeaderEncoder;
import io.tcpproxy.protocol.ProxyHeaderParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static io.tcpproxy.relay.ProxyProtocolPeers.CLIENT_IP;
import static io.tcpproxy.relay.ProxyProtocolPeers.clientSocket;
import static io.tcpproxy.relay.ProxyProtocolPeers.exchange;
import static io.tcpproxy.relay.ProxyProtocolPeers.startAccepting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PROXY protocol through real proxies on loopback: headers sent to an upstream that records them, headers
 * accepted from a trusted source (and refused from another), and a chain of two proxies keeping the original client.
 * The client binds 127.0.0.2 so it can be told from the proxies (127.0.0.1).
 */
class ProxyProtocolEndToEndTest
{
    private static final byte[] PAYLOAD = "first bytes\r\nand more".getBytes(StandardCharsets.US_ASCII);

    @Test
    @Timeout(60)
    void shouldSendAV1HeaderNamingTheClientBeforeItsBytes() throws Exception
    {
        final Relayed relayed = relayPayload(SendProxyProtocol.V1);
        final String expectedHeader = "PROXY TCP4 " + CLIENT_IP + " 127.0.0.1 " + relayed.clientPort() + " " +
            relayed.proxyPort() + "\r\n";
        assertEquals(expectedHeader + new String(PAYLOAD, StandardCharsets.US_ASCII),
            new String(relayed.received(), StandardCharsets.US_ASCII));
    }

    @Test
    @Timeout(60)
    void shouldSendAV2HeaderNamingTheClientBeforeItsBytes() throws Exception
    {
        final Relayed relayed = relayPayload(SendProxyProtocol.V2);
        final byte[] got = relayed.received();
        final ProxyHeader header = new ProxyHeader();
        assertEquals(ProxyHeaderParser.Status.DONE, ProxyHeaderParser.parse(ByteBuffer.wrap(got), header));
        assertEquals(2, header.version());
        assertEquals(ProxyHeader.Family.TCP4, header.family());
        assertEquals(InetAddress.getByName(CLIENT_IP), header.sourceInetAddress());
        assertEquals(relayed.clientPort(), header.sourcePort());
        assertEquals(relayed.proxyPort(), header.destinationPort());
        assertArrayEquals(PAYLOAD, Arrays.copyOfRange(got, header.headerBytes(), got.length));
    }

    @Test
    @Timeout(60)
    void shouldAcceptV1AndV2HeadersFromATrustedSourceWithTheFirstBytesInTheSameSegment() throws Exception
    {
        final ByteArrayOutputStream v1 = new ByteArrayOutputStream();
        v1.writeBytes("PROXY TCP4 198.51.100.7 192.0.2.1 40000 443\r\n".getBytes(StandardCharsets.US_ASCII));
        v1.writeBytes(PAYLOAD);

        final ProxyHeader v2Header = new ProxyHeader().setAddresses(
            InetAddress.getByName("2001:db8::7").getAddress(), 40001, InetAddress.getByName("2001:db8::1").getAddress(),
            443);
        final ByteBuffer v2 = ByteBuffer.allocate(ProxyHeaderEncoder.v2Bytes(v2Header) + PAYLOAD.length);
        ProxyHeaderEncoder.encodeV2(v2Header, v2);
        v2.put(PAYLOAD);

        for (final byte[] opening : List.of(v1.toByteArray(), v2.array()))
        {
            try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
                Proxy proxy = startAccepting(upstream.address(), "127.0.0.0/24"))
            {
                exchange(proxy.localAddress(), opening);
                assertArrayEquals(PAYLOAD, upstream.received(), "the bytes after the header, intact");
                final String client = InetAddress.getByName(opening == v2.array() ? "2001:db8::7" : "198.51.100.7")
                    .getHostAddress();
                final MetricsSnapshot metrics = ProxyAwait.metrics(proxy, "the real client in the per-client metrics",
                    (s) -> hasClient(s, client));
                assertEquals(0, metrics.closes(CloseReason.PROXY_PROTOCOL_ERROR));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseAClientThatIsNotATrustedSource() throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
            Proxy proxy = startAccepting(upstream.address(), "127.0.0.1/32"))
        {
            try (Socket client = clientSocket(proxy.localAddress()))
            {
                client.getOutputStream().write("PROXY TCP4 198.51.100.7 192.0.2.1 40000 443\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, client.getInputStream().read(), "closed without a byte");
            }
            ProxyAwait.metrics(proxy, "an untrusted close", (s) -> s.closes(CloseReason.PROXY_PROTOCOL_UNTRUSTED) == 1);
        }
    }

    @Test
    @Timeout(60)
    void shouldKeepTheOriginalClientThroughAChainOfTwoProxies() throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
            Proxy second = startAccepting(upstream.address(), "127.0.0.1/32");
            Proxy first = TestProxies.start(TestProxies.configFor(hostPort(second.localAddress()))
                .sendProxyProtocol(SendProxyProtocol.V2)))
        {
            exchange(first.localAddress(), PAYLOAD);
            assertArrayEquals(PAYLOAD, upstream.received());
            ProxyAwait.metrics(second, "the original client in the second proxy's metrics", (s) -> hasClient(s, CLIENT_IP));
            final MetricsSnapshot metrics = second.metrics();
            assertTrue(metrics.topClients().stream().noneMatch((c) -> c.name().startsWith("127.0.0.1")),
                "the first proxy's own address must not show as a client: " + metrics.topClients());
        }
    }

    /** What the recording upstream got from one client through a proxy sending PROXY headers. */
    private record Relayed(int clientPort, int proxyPort, byte[] received)
    {
    }

    /** {@link #PAYLOAD} from one client through a proxy that sends {@code version} headers to a recorder. */
    private static Relayed relayPayload(final SendProxyProtocol version) throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream.address()).sendProxyProtocol(version)))
        {
            final int clientPort = exchange(proxy.localAddress(), PAYLOAD);
            return new Relayed(clientPort, proxy.localAddress().getPort(), upstream.received());
        }
    }

    static boolean hasClient(final MetricsSnapshot snapshot, final String ip)
    {
        for (final TrafficStats client : snapshot.topClients())
        {
            if (client.name().equals(ip) && client.totalConnections() == 1)
            {
                return true;
            }
        }
        return false;
    }

    private static String hostPort(final InetSocketAddress address)
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
