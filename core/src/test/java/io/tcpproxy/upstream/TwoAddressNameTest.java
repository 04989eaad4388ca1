package io.tcpproxy.upstream;

import io.tcpproxy.testsupport.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host name with two addresses on real sockets: {@code localhost} as 127.0.0.1 and ::1 (what most machines map it
 * to; this one's /etc/hosts has only 127.0.0.1, so the resolver is injected), listened on at one port on both.
 */
class TwoAddressNameTest
{
    @AutoClose
    private final TestSockets sockets = new TestSockets();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void shouldCountTwoServersAndCheckEachOnItsOwnAddress() throws Exception
    {
        final InetAddress v4 = InetAddress.getByName("127.0.0.1");
        final InetAddress v6 = InetAddress.getByName("::1");
        final ServerSocket[] listeners = bindBoth(v4, v6);
        final int port = listeners[0].getLocalPort();
        final UpstreamPool pool = UpstreamPool.create(new PoolSpec("default",
            List.of(ServerSpec.of("localhost:" + port)), Balance.ROUND_ROBIN, 2,
            new HealthCheckSpec(50, 5000, 2, 2, 0, null, null), PassiveHealthSpec.defaults(), 30),
            host -> new InetAddress[] {v4, v6}, System::nanoTime, listener);
        sockets.add(pool);
        final List<UpstreamServer> servers = pool.servers();
        assertEquals(2, servers.size());
        assertEquals("localhost:" + port + "/127.0.0.1", servers.get(0).label());
        assertEquals("localhost:" + port + "/[::1]", servers.get(1).label());

        pool.start();
        Await.until("both addresses checked", () -> servers.get(0).healthChecksTotal(CheckResult.OK) >= 2 &&
            servers.get(1).healthChecksTotal(CheckResult.OK) >= 2);

        final ConnectAttempt attempt = pool.newAttempt();
        for (int i = 0; i < 4; i++)
        {
            final UpstreamServer server = pool.select(attempt.reset(i));
            assertSame(servers.get(i % 2), server);
            try (Socket socket = new Socket())
            {
                socket.connect(server.address(), 5000); // the selected address is really there
            }
            pool.onConnectSuccess(server);
            pool.onConnectionClosed(server);
        }

        listeners[1].close();
        Await.until("the ::1 server marked down", () -> listener.lines.size() >= 1);
        assertEquals("[HEALTH] localhost:" + port + "/[::1] DOWN after 2 failed checks (connect_refused)",
            listener.lines.get(0));
        assertTrue(servers.get(0).isUp());
        for (int i = 0; i < 4; i++)
        {
            final UpstreamServer server = pool.select(attempt.reset(i));
            assertSame(servers.get(0), server);
            pool.onConnectionClosed(server);
        }
    }

    private ServerSocket[] bindBoth(final InetAddress v4, final InetAddress v6) throws Exception
    {
        IOException last = null;
        for (int tries = 0; tries < 20; tries++)
        {
            final ServerSocket first = new ServerSocket();
            first.bind(new InetSocketAddress(v6, 0));
            final ServerSocket second = new ServerSocket();
            try
            {
                second.bind(new InetSocketAddress(v4, first.getLocalPort()));
            }
            catch (final IOException ex)
            {
                last = ex; // the port was taken on 127.0.0.1: try another
                first.close();
                second.close();
                continue;
            }
            sockets.serve(first, null, null);
            sockets.serve(second, null, null);
            return new ServerSocket[] {second, first};
        }
        throw last;
    }
}
