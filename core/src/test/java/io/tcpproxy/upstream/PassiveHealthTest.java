package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassiveHealthTest
{
    private final FakeClock clock = new FakeClock();
    private final RecordingListener listener = new RecordingListener();

    private UpstreamPool pool(final int failures, final long ejectionSecs, final int servers)
    {
        final int[] weights = new int[servers];
        java.util.Arrays.fill(weights, 1);
        final PoolSpec spec = new PoolSpec("default", Pools.servers(weights), Balance.ROUND_ROBIN, 1, null,
            new PassiveHealthSpec(failures, ejectionSecs), 30);
        return UpstreamPool.create(spec, Resolver.SYSTEM, clock, listener);
    }

    private static void fail(final UpstreamPool pool, final UpstreamServer server, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            assertTrue(server.tryAcquire()); // as select would have
            pool.onConnectFailure(server, ConnectFailure.CONNECT_REFUSED);
        }
    }

    private static void assertNeverSelected(final UpstreamPool pool, final UpstreamServer server)
    {
        final ConnectAttempt attempt = pool.newAttempt();
        for (int i = 0; i < 20; i++)
        {
            final UpstreamServer chosen = pool.select(attempt.reset(i));
            assertNotSame(server, chosen);
            pool.onConnectionClosed(chosen);
        }
    }

    @Test
    void shouldEjectAfterConsecutiveFailuresAndReadmitAfterTheEjectionTime()
    {
        final UpstreamPool pool = pool(3, 10, 3);
        final UpstreamServer bad = pool.servers().get(0);
        fail(pool, bad, 2);
        assertTrue(bad.isUp());
        fail(pool, bad, 1);
        assertFalse(bad.isUp());
        assertTrue(bad.isEjected());
        assertNeverSelected(pool, bad);

        pool.agent().doWork();
        assertEquals(List.of("[HEALTH] 127.0.0.1:20001 EJECTED for 10 s after 3 failed connects (connect_refused)"),
            listener.lines);

        clock.advanceSecs(9);
        pool.agent().doWork();
        assertNeverSelected(pool, bad);
        clock.advanceSecs(1);
        pool.agent().doWork();
        assertTrue(bad.isUp());
        assertEquals("[HEALTH] 127.0.0.1:20001 BACK after its ejection time", listener.lines.get(1));
        final ConnectAttempt attempt = pool.newAttempt();
        boolean chosen = false;
        for (int i = 0; i < 3; i++)
        {
            chosen |= pool.select(attempt.reset(i)) == bad;
        }
        assertTrue(chosen, "readmitted server takes clients again");
    }

    @Test
    void shouldDoubleTheEjectionOnEachRepeatUpToFiveMinutes()
    {
        final UpstreamPool pool = pool(2, 30, 2);
        final UpstreamServer bad = pool.servers().get(0);
        final long[] expectedSecs = {30, 60, 120, 240, 300, 300};
        for (final long secs : expectedSecs)
        {
            fail(pool, bad, 2);
            assertTrue(bad.isEjected());
            clock.advanceSecs(secs - 1);
            pool.agent().doWork();
            assertTrue(bad.isEjected(), "still out before " + secs + " s");
            clock.advanceSecs(1);
            pool.agent().doWork();
            assertFalse(bad.isEjected(), "back after " + secs + " s");
        }
        assertTrue(listener.has("[HEALTH] 127.0.0.1:20001 EJECTED for 240 s after 2 failed connects (connect_refused)"));
        assertTrue(listener.has("[HEALTH] 127.0.0.1:20001 EJECTED for 300 s after 2 failed connects (connect_refused)"));

        // a successful connect after coming back starts the doubling over
        pool.onConnectSuccess(bad);
        fail(pool, bad, 2);
        clock.advanceSecs(30);
        pool.agent().doWork();
        assertFalse(bad.isEjected());
    }

    @Test
    void shouldResetTheFailureCountOnASuccess()
    {
        final UpstreamPool pool = pool(3, 10, 2);
        final UpstreamServer flaky = pool.servers().get(0);
        for (int i = 0; i < 10; i++)
        {
            fail(pool, flaky, 2);
            pool.onConnectSuccess(flaky);
        }
        assertFalse(flaky.isEjected());
        assertEquals(20, flaky.connectFailuresTotal(ConnectFailure.CONNECT_REFUSED));
    }

    @Test
    void shouldNeverEjectTheLastServerThatIsUp()
    {
        final UpstreamPool pool = pool(2, 10, 3);
        final List<UpstreamServer> servers = pool.servers();
        fail(pool, servers.get(0), 2);
        servers.get(1).healthy(false);
        assertTrue(servers.get(0).isEjected());
        fail(pool, servers.get(2), 10);
        assertFalse(servers.get(2).isEjected(), "the last server up stays in");
        final ConnectAttempt attempt = pool.newAttempt();
        assertSame(servers.get(2), pool.select(attempt.reset(1)));
    }

    @Test
    void shouldReadmitOnAnActiveCheckSuccess()
    {
        final UpstreamPool pool = pool(1, 300, 2);
        final UpstreamServer server = pool.servers().get(0);
        fail(pool, server, 1);
        assertTrue(server.isEjected());
        pool.ejections().onCheckSuccess(server, clock.getAsLong());
        assertFalse(server.isEjected());
        assertTrue(listener.has("[HEALTH] 127.0.0.1:20001 BACK after a successful check"));
    }

    @Test
    void shouldCountConnectFailuresWithoutEjectingWhenPassiveHealthIsOff()
    {
        final UpstreamPool pool = pool(0, 10, 2);
        final UpstreamServer server = pool.servers().get(0);
        fail(pool, server, 50);
        assertFalse(server.isEjected());
        assertEquals(0, server.activeConnections());
    }

    @Test
    void shouldEjectOnceWhenWorkersFailConcurrently() throws Exception
    {
        final UpstreamPool pool = pool(5, 10, 2);
        final UpstreamServer bad = pool.servers().get(0);
        final Thread[] workers = new Thread[4];
        for (int w = 0; w < workers.length; w++)
        {
            workers[w] = new Thread(() -> fail(pool, bad, 25));
            workers[w].start();
        }
        for (final Thread worker : workers)
        {
            worker.join(30_000);
        }
        assertTrue(bad.isEjected());
        assertEquals(0, bad.activeConnections());
        pool.agent().doWork();
        assertEquals(1, listener.lines.size(), listener.lines.toString());
    }
}
