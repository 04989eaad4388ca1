package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry contract on real sockets, driven the way a worker drives it: one of three servers is dead; every client
 * still connects, each retry lands on a different server, and passive health takes the dead one out.
 */
class FailoverTest
{
    @Test
    void shouldConnectEveryClientWhenOneServerIsDead() throws Exception
    {
        final List<ServerSocket> live = new ArrayList<>();
        final List<ServerSpec> specs = new ArrayList<>();
        final RecordingListener listener = new RecordingListener();
        for (int i = 0; i < 3; i++)
        {
            final ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            live.add(server);
            specs.add(ServerSpec.of("127.0.0.1:" + server.getLocalPort()));
        }
        live.remove(1).close(); // the middle server is killed: its port refuses
        try (UpstreamPool pool = UpstreamPool.create(new PoolSpec("default", specs, Balance.ROUND_ROBIN, 3, null,
            new PassiveHealthSpec(5, 30), 30), listener))
        {
            final ConnectAttempt attempt = pool.newAttempt();
            final UpstreamServer dead = pool.servers().get(1);
            for (int client = 0; client < 100; client++)
            {
                final UpstreamServer server = connectOne(pool, attempt, client);
                assertNotNull(server, "client " + client + " saw an error");
                pool.onConnectionClosed(server);
            }
            assertEquals(5, dead.connectFailuresTotal(ConnectFailure.CONNECT_REFUSED), "ejected after 5, then skipped");
            assertTrue(dead.isEjected());
            assertEquals(5, pool.connectRetriesTotal());
            assertEquals(100, pool.servers().get(0).connectionsTotal() + pool.servers().get(2).connectionsTotal());
            pool.agent().doWork();
            assertEquals(List.of("[HEALTH] " + dead.label() + " EJECTED for 30 s after 5 failed connects " +
                "(connect_refused)"), listener.lines);
        }
        finally
        {
            for (final ServerSocket server : live)
            {
                server.close();
            }
        }
    }

    /** One worker-style connect with retries; the accepted side stays in the listener's backlog. */
    private static UpstreamServer connectOne(final UpstreamPool pool, final ConnectAttempt attempt, final int client)
        throws IOException
    {
        attempt.reset(client);
        UpstreamServer server;
        while ((server = pool.select(attempt)) != null)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(server.address(), 10_000);
                pool.onConnectSuccess(server);
                return server;
            }
            catch (final ConnectException ex)
            {
                pool.onConnectFailure(server, ConnectFailure.CONNECT_REFUSED);
            }
        }
        return null;
    }
}
