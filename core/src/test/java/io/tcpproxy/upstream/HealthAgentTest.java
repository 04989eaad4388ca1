package io.tcpproxy.upstream;

import io.tcpproxy.testsupport.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthAgentTest
{
    @AutoClose
    private final TestSockets sockets = new TestSockets();
    private final RecordingListener listener = new RecordingListener();

    @Test
    void shouldKeepAServerThatAnswersRightUp() throws Exception
    {
        final ServerSocket server = sockets.responder("PING\r\n", "+PONG\r\n");
        final UpstreamPool pool = startedPool(server.getLocalPort(), check(50, "PING\r\n", "+PONG"));
        final UpstreamServer upstream = pool.servers().get(0);
        Await.until("three good checks", () -> upstream.healthChecksTotal(CheckResult.OK) >= 3);
        assertTrue(upstream.isUp());
        assertEquals(0, upstream.healthChecksTotal(CheckResult.BAD_REPLY));
        assertTrue(listener.lines.isEmpty(), listener.lines.toString());
    }

    @Test
    void shouldMarkAServerThatAnswersWrongDown() throws Exception
    {
        final ServerSocket server = sockets.responder("PING\r\n", "-ERR loading\r\n");
        final UpstreamPool pool = startedPool(server.getLocalPort(), check(50, "PING\r\n", "+PONG"));
        final UpstreamServer upstream = pool.servers().get(0);
        Await.until("down after bad replies", () -> !listener.lines.isEmpty()); // the line follows the state change
        assertFalse(upstream.isUp());
        assertTrue(upstream.healthChecksTotal(CheckResult.BAD_REPLY) >= 2);
        assertEquals(List.of("[HEALTH] " + upstream.label() + " DOWN after 2 failed checks (bad_reply)"),
            listener.lines);
        assertEquals(null, pool.select(pool.newAttempt().reset(1)), "a down server takes no client");
    }

    @Test
    void shouldMarkAClosedServerDownAndARestartedOneUp() throws Exception
    {
        ServerSocket server = sockets.responder(null, null);
        final int port = server.getLocalPort();
        final UpstreamPool pool = startedPool(port, check(50, "", ""));
        final UpstreamServer upstream = pool.servers().get(0);
        Await.until("connect checks pass", () -> upstream.healthChecksTotal(CheckResult.OK) >= 2);

        server.close();
        Await.until("down after the server closed", () -> !listener.lines.isEmpty());
        assertFalse(upstream.isUp());
        assertEquals("[HEALTH] " + upstream.label() + " DOWN after 2 failed checks (connect_refused)",
            listener.lines.get(0));

        server = rebind(port);
        Await.until("up after the restart", () -> listener.lines.size() >= 2);
        assertTrue(upstream.isUp());
        assertEquals("[HEALTH] " + upstream.label() + " UP after 2 checks", listener.lines.get(1));
        assertEquals(2, listener.lines.size());
    }

    @Test
    void shouldCheckAnotherPortWhenConfigured() throws Exception
    {
        final ServerSocket sidecar = sockets.responder("GET /primary\r\n", "HTTP/1.0 200 OK\r\n");
        final HealthCheckSpec spec = new HealthCheckSpec(50, 5000, 2, 2, sidecar.getLocalPort(),
            "GET /primary\r\n".getBytes(StandardCharsets.US_ASCII), "HTTP/1.0 200".getBytes(StandardCharsets.US_ASCII));
        final UpstreamPool pool = startedPool(1, spec); // nothing listens on port 1: only the sidecar is checked
        final UpstreamServer upstream = pool.servers().get(0);
        Await.until("checks on the sidecar pass", () -> upstream.healthChecksTotal(CheckResult.OK) >= 2);
        assertTrue(upstream.isUp());
    }

    @Test
    void shouldTimeOutACheckWithoutAReplyByTheInjectedClock() throws Exception
    {
        final ServerSocket silent = sockets.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        // accepts in the backlog, never answers
        final FakeClock clock = new FakeClock();
        final HealthCheckSpec spec = new HealthCheckSpec(1000, 300, 1, 1, 0, null,
            "+PONG".getBytes(StandardCharsets.US_ASCII));
        final UpstreamPool pool = pool(List.of(ServerSpec.of("127.0.0.1:" + silent.getLocalPort())), spec, clock);
        final UpstreamServer upstream = pool.servers().get(0);
        final HealthAgent agent = pool.agent();
        agent.doWork();
        assertEquals(1, agent.checksStarted());
        for (int i = 0; i < 20; i++)
        {
            agent.doWork(); // connects, waits for the reply: no time passes, so no timeout
        }
        assertTrue(upstream.isUp());
        clock.advanceMs(299);
        agent.doWork();
        assertEquals(0, upstream.healthChecksTotal(CheckResult.TIMEOUT));
        clock.advanceMs(1);
        agent.doWork();
        assertEquals(1, upstream.healthChecksTotal(CheckResult.TIMEOUT));
        assertFalse(upstream.isUp());
        assertEquals(List.of("[HEALTH] " + upstream.label() + " DOWN after 1 failed check (timeout)"),
            listener.lines);
    }

    @Test
    void shouldSpreadTheChecksOverTheInterval() throws Exception
    {
        final FakeClock clock = new FakeClock();
        final List<ServerSpec> specs = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final ServerSocket server = sockets.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            specs.add(ServerSpec.of("127.0.0.1:" + server.getLocalPort()));
        }
        final UpstreamPool pool = pool(specs, new HealthCheckSpec(1000, 500, 2, 3, 0, null, null), clock);
        final HealthAgent agent = pool.agent();
        agent.doWork();
        assertEquals(1, agent.checksStarted(), "one server at the start of the interval");
        for (int quarter = 1; quarter < 4; quarter++)
        {
            clock.advanceMs(249);
            agent.doWork();
            assertEquals(quarter, agent.checksStarted());
            clock.advanceMs(1);
            agent.doWork();
            assertEquals(quarter + 1, agent.checksStarted(), "the next server a quarter interval later");
        }
        clock.advanceMs(250);
        agent.doWork();
        assertEquals(5, agent.checksStarted(), "the first server again one interval after its first check");
    }

    private UpstreamPool startedPool(final int port, final HealthCheckSpec spec)
    {
        final UpstreamPool pool = pool(List.of(ServerSpec.of("127.0.0.1:" + port)), spec, System::nanoTime);
        pool.start();
        return pool;
    }

    private UpstreamPool pool(
        final List<ServerSpec> servers, final HealthCheckSpec spec, final LongSupplier clock)
    {
        return sockets.add(UpstreamPool.create(new PoolSpec("default", servers, Balance.ROUND_ROBIN, 1, spec,
            PassiveHealthSpec.defaults(), 30), Resolver.SYSTEM, clock, listener));
    }

    private static HealthCheckSpec check(final long intervalMs, final String send, final String expect)
    {
        // a generous timeout: on a busy machine a slow answer must not count as a failure
        return new HealthCheckSpec(intervalMs, 5000, 2, 2, 0, send.getBytes(StandardCharsets.US_ASCII),
            expect.getBytes(StandardCharsets.US_ASCII));
    }

    private ServerSocket rebind(final int port) throws Exception
    {
        final long deadlineNs = System.nanoTime() + Await.DEFAULT_TIMEOUT.toNanos();
        while (true)
        {
            try
            {
                final ServerSocket server = new ServerSocket();
                server.setReuseAddress(true);
                try
                {
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
                catch (final IOException ex)
                {
                    server.close();
                    throw ex;
                }
                return sockets.serve(server, null, null);
            }
            catch (final IOException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }
}
