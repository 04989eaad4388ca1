package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access control on real sockets: allow/deny lists for IPv4 ({@code 127.0.0.2} is another loopback client) and IPv6
 * ({@code ::1}), the per-client cap and connect rate, each refusal counted by reason and costing no upstream connect.
 */
class AccessControlTest
{
    private static final Duration REFUSAL_DEADLINE = Duration.ofSeconds(20);

    @Test
    @Timeout(60)
    void shouldRefuseADeniedIpv4ClientWithoutAnUpstreamConnectAndServeTheOthers() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).deny(List.of("127.0.0.2/32"))))
        {
            for (int i = 0; i < 3; i++)
            {
                assertRefused("127.0.0.2", proxy.localAddress());
            }
            ProxyAwait.metrics(proxy, "three denied", (s) -> s.rejectedConnections(RejectReason.DENIED) == 3);
            assertEquals(0, upstream.accepted(), "a denied client costs no upstream connect");

            try (Socket served = connectFrom("127.0.0.1", proxy.localAddress()))
            {
                Clients.assertEchoes(served, "served");
            }
            final MetricsSnapshot snapshot = ProxyAwait.metrics(proxy, "the served client closed",
                (s) -> ProxyAwait.totalCloses(s) == 1);
            assertEquals(1, snapshot.totalConnections(), "refused clients are not counted as accepted");
            assertEquals(3, snapshot.rejectedConnections());
            assertEquals(1, upstream.accepted());
        }
    }

    @Test
    @Timeout(60)
    void shouldServeOnlyTheAllowListAndApplyDenyFirst() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream)
                .allow(List.of("127.0.0.0/30")).deny(List.of("127.0.0.2"))))
        {
            try (Socket allowed = connectFrom("127.0.0.1", proxy.localAddress()))
            {
                Clients.assertEchoes(allowed, "allowed");
            }
            assertRefused("127.0.0.2", proxy.localAddress());
            assertRefused("127.0.0.5", proxy.localAddress());
            ProxyAwait.metrics(proxy, "two denied", (s) -> s.rejectedConnections(RejectReason.DENIED) == 2);
            assertEquals(1, upstream.accepted());
        }
    }

    @Test
    @Timeout(60)
    void shouldJudgeIpv6ClientsByTheirOwnRanges() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy deniesIpv6 = TestProxies.start(TestProxies.configFor(upstream).listenAddress("[::1]:0")
                .deny(List.of("::1/128")));
            Proxy allowsIpv6 = TestProxies.start(TestProxies.configFor(upstream).listenAddress("[::1]:0")
                .allow(List.of("127.0.0.1", "::1"))))
        {
            assertRefused("::1", deniesIpv6.localAddress());
            ProxyAwait.metrics(deniesIpv6, "::1 denied", (s) -> s.rejectedConnections(RejectReason.DENIED) == 1);
            assertEquals(0, upstream.accepted());

            try (Socket allowed = connectFrom("::1", allowsIpv6.localAddress()))
            {
                Clients.assertEchoes(allowed, "over IPv6");
            }
            assertEquals(0, allowsIpv6.metrics().rejectedConnections());
        }
    }

    @Test
    @Timeout(60)
    void shouldCapOpenConnectionsPerClient() throws Exception
    {
        final List<Socket> held = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).maxConnectionsPerClient(2)))
        {
            for (int i = 0; i < 2; i++)
            {
                held.add(connectFrom("127.0.0.1", proxy.localAddress()));
                Clients.assertEchoes(held.get(i), "held " + i);
            }
            assertRefused("127.0.0.1", proxy.localAddress());
            try (Socket otherClient = connectFrom("127.0.0.3", proxy.localAddress()))
            {
                Clients.assertEchoes(otherClient, "another client has its own cap");
            }
            ProxyAwait.metrics(proxy, "one over the cap", (s) -> s.rejectedConnections(RejectReason.CLIENT_LIMIT) == 1);

            held.remove(0).close();
            Await.until("a slot to free up", () -> proxy.activeConnections() == 1);
            try (Socket replacement = connectFrom("127.0.0.1", proxy.localAddress()))
            {
                Clients.assertEchoes(replacement, "admitted again");
            }
            assertEquals(1, proxy.metrics().rejectedConnections());
        }
        finally
        {
            for (final Socket socket : held)
            {
                socket.close();
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRateLimitNewConnectionsPerClientBeyondTheBurst() throws Exception
    {
        final int clients = 5;
        final int burst = 2;
        final List<Socket> sockets = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).clientConnectRate(1)
                .clientConnectBurst(burst)))
        {
            final long startNs = System.nanoTime();
            for (int i = 0; i < clients; i++)
            {
                final Socket socket = connectOrNull("127.0.0.1", proxy.localAddress());
                if (socket != null)
                {
                    sockets.add(socket);
                }
            }
            final MetricsSnapshot judged = ProxyAwait.metrics(proxy, "every client judged",
                (s) -> s.totalConnections() + s.rejectedConnections() == clients);
            // one token a second: on a stalled machine a connect judged seconds later may get one more, never fewer
            final long refills = Duration.ofNanos(System.nanoTime() - startNs).toSeconds();
            final long rateLimited = judged.rejectedConnections(RejectReason.RATE_LIMITED);
            assertEquals(rateLimited, judged.rejectedConnections(), "rate_limited is the only reason");
            assertTrue(rateLimited <= clients - burst && rateLimited >= clients - burst - refills,
                rateLimited + " rate limited in " + refills + " s");
            if (refills == 0)
            {
                assertEquals(3, rateLimited, "rate 1/s, burst 2, 5 at once");
            }
            int served = 0;
            for (final Socket socket : sockets)
            {
                if (echoes(socket))
                {
                    served++;
                }
            }
            assertEquals(clients - rateLimited, served, "the admitted ones are served, the others were reset");
            assertEquals(served, upstream.accepted(), "a rate-limited client costs no upstream connect");
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    static Socket connectFrom(final String localIp, final InetSocketAddress proxy) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.setSoTimeout(Clients.SAFETY_READ_TIMEOUT_MS);
            socket.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
            socket.connect(proxy, 5_000);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    private static boolean echoes(final Socket socket)
    {
        try
        {
            Clients.assertEchoes(socket, "x");
            return true;
        }
        catch (final IOException ex)
        {
            return false; // reset at accept
        }
    }

    /** @return a connected socket, or null when the proxy's reset came before the connect returned. */
    private static Socket connectOrNull(final String localIp, final InetSocketAddress proxy) throws IOException
    {
        try
        {
            return connectFrom(localIp, proxy);
        }
        catch (final SocketException ex)
        {
            return null;
        }
    }

    private static void assertRefused(final String localIp, final InetSocketAddress proxy) throws IOException
    {
        try (Socket socket = connectOrNull(localIp, proxy))
        {
            if (socket != null)
            {
                final Clients.End end = Clients.awaitEnd(socket, REFUSAL_DEADLINE);
                assertEquals(Clients.End.RESET, end, "a refused client is reset at accept");
            }
        }
    }
}
