package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalancerTest
{
    @Test
    void shouldPickSmoothWeightedRoundRobinInNginxOrder()
    {
        final UpstreamPool pool = Pools.pool(Balance.ROUND_ROBIN, 1, Pools.servers(5, 1, 1));
        final ConnectAttempt attempt = pool.newAttempt();
        final StringBuilder order = new StringBuilder();
        for (int i = 0; i < 14; i++)
        {
            final UpstreamServer server = pool.select(attempt.reset(i));
            order.append((char)('a' + pool.servers().indexOf(server)));
            pool.onConnectionClosed(server);
        }
        assertEquals("aabacaa" + "aabacaa", order.toString());
    }

    @Test
    void shouldDistributeRoundRobinExactlyOverEveryCycleWithoutBursts()
    {
        final int[][] weightSets = {{1, 1, 1}, {3, 2, 1}, {5, 1, 1}, {256, 1}, {7, 7, 3, 1}, {2, 3, 5, 7, 11, 13}};
        for (final int[] weights : weightSets)
        {
            final UpstreamPool pool = Pools.pool(Balance.ROUND_ROBIN, 1, Pools.servers(weights));
            final ConnectAttempt attempt = pool.newAttempt();
            int total = 0;
            for (final int weight : weights)
            {
                total += weight;
            }
            final List<UpstreamServer> servers = pool.servers();
            final int[] longestRun = new int[weights.length];
            int previous = -1;
            int run = 0;
            for (int cycle = 0; cycle < 5; cycle++)
            {
                final int[] counts = new int[weights.length];
                for (int i = 0; i < total; i++)
                {
                    final UpstreamServer server = pool.select(attempt.reset(i));
                    pool.onConnectionClosed(server);
                    final int index = servers.indexOf(server);
                    counts[index]++;
                    run = index == previous ? run + 1 : 1;
                    previous = index;
                    longestRun[index] = Math.max(longestRun[index], run);
                }
                for (int s = 0; s < weights.length; s++)
                {
                    assertEquals(weights[s], counts[s], "server " + s + " of weights " + java.util.Arrays.toString(
                        weights) + " in cycle " + cycle);
                }
            }
            for (int s = 0; s < weights.length; s++)
            {
                // a burst would be weights[s] in a row; smooth WRR interleaves: at most ceil(w / others) + 1
                // (the +1: one cycle can end and the next begin on the heaviest server)
                final int others = total - weights[s];
                final int bound = others == 0 ? Integer.MAX_VALUE : (weights[s] + others - 1) / others + 1;
                assertTrue(longestRun[s] <= bound, "server " + s + " of weights " +
                    java.util.Arrays.toString(weights) + " ran " + longestRun[s] + " in a row, bound " + bound);
            }
        }
    }

    @Test
    void shouldBalanceLongLivedConnectionsByActiveCountRelativeToWeight()
    {
        final UpstreamPool pool = Pools.pool(Balance.LEAST_CONNECTIONS, 1, Pools.servers(1, 1, 2));
        final ConnectAttempt attempt = pool.newAttempt();
        final List<UpstreamServer> opened = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            opened.add(Pools.connect(pool, attempt, i));
        }
        final List<UpstreamServer> servers = pool.servers();
        assertEquals(10, servers.get(0).activeConnections());
        assertEquals(10, servers.get(1).activeConnections());
        assertEquals(20, servers.get(2).activeConnections());

        // six of the heavy server's connections end: the next six clients fill exactly that gap
        int closed = 0;
        for (final UpstreamServer server : opened)
        {
            if (server == servers.get(2) && closed < 6)
            {
                pool.onConnectionClosed(server);
                closed++;
            }
        }
        for (int i = 0; i < 6; i++)
        {
            assertSame(servers.get(2), Pools.connect(pool, attempt, 100 + i));
        }
        assertEquals(20, servers.get(2).activeConnections());
        assertEquals(46, servers.get(0).connectionsTotal() + servers.get(1).connectionsTotal() +
            servers.get(2).connectionsTotal());
    }

    @Test
    void shouldShareLeastConnectionsCountsAcrossWorkers() throws Exception
    {
        final UpstreamPool pool = Pools.pool(Balance.LEAST_CONNECTIONS, 1, Pools.servers(1, 1, 1, 1));
        final Thread[] workers = new Thread[4];
        for (int w = 0; w < workers.length; w++)
        {
            workers[w] = new Thread(() ->
            {
                final ConnectAttempt attempt = pool.newAttempt();
                for (int i = 0; i < 250; i++)
                {
                    assertNotNull(Pools.connect(pool, attempt, i));
                }
            });
            workers[w].start();
        }
        for (final Thread worker : workers)
        {
            worker.join(30_000);
        }
        for (final UpstreamServer server : pool.servers())
        {
            // each pick sees the others' counts: at most one stale pick per concurrent picker (margin doubled)
            assertTrue(Math.abs(server.activeConnections() - 250) <= 2 * workers.length,
                server + " has " + server.activeConnections());
        }
    }

    @Test
    void shouldPreferTheLessLoadedOfTwoRandomServers()
    {
        final UpstreamPool pool = Pools.pool(Balance.RANDOM_TWO, 1, Pools.servers(1, 1));
        final ConnectAttempt attempt = pool.newAttempt();
        final UpstreamServer busy = pool.servers().get(0);
        for (int i = 0; i < 5; i++)
        {
            pool.onConnectSuccess(pool.select(attempt.reset(i)));
        }
        // with two servers both are always drawn, so the less loaded always wins: the counts alternate closely
        for (int i = 0; i < 1000; i++)
        {
            Pools.connect(pool, attempt, i);
            final int difference = busy.activeConnections() - pool.servers().get(1).activeConnections();
            assertTrue(Math.abs(difference) <= 1, "difference " + difference);
        }
    }

    @Test
    void shouldSpreadRandomTwoInProportionToWeight()
    {
        final UpstreamPool pool = Pools.pool(Balance.RANDOM_TWO, 1, Pools.servers(1, 1, 1, 3));
        final ConnectAttempt attempt = pool.newAttempt();
        for (int i = 0; i < 6000; i++)
        {
            Pools.connect(pool, attempt, i);
        }
        final List<UpstreamServer> servers = pool.servers();
        // long-lived connections: load relative to weight evens out, so the weight-3 server holds about half
        final int heavy = servers.get(3).activeConnections();
        assertTrue(heavy > 2700 && heavy < 3300, "weight-3 server holds " + heavy + " of 6000");
    }

    @Test
    void shouldKeepSourceHashClientsAndMoveOnlyTheRemovedServersClients()
    {
        final List<ServerSpec> five = Pools.servers(1, 1, 1, 1, 1);
        final UpstreamPool pool = Pools.pool(Balance.SOURCE_HASH, 1, five);
        final ConnectAttempt attempt = pool.newAttempt();
        final int keys = 10_000;
        final String[] before = new String[keys];
        final Map<String, Integer> counts = new HashMap<>();
        for (int key = 0; key < keys; key++)
        {
            final UpstreamServer server = pool.select(attempt.reset(key));
            pool.onConnectionClosed(server);
            before[key] = server.label();
            counts.merge(before[key], 1, Integer::sum);
            final UpstreamServer again = pool.select(attempt.reset(key));
            pool.onConnectionClosed(again);
            assertSame(server, again, "client " + key + " is sticky");
        }
        for (final int count : counts.values())
        {
            assertTrue(count > 1600 && count < 2400, "share of 10,000 keys: " + counts);
        }

        // removed from the configuration (a new pool without it)
        final String removed = five.get(2).addr();
        final List<ServerSpec> four = new ArrayList<>(five);
        four.remove(2);
        final UpstreamPool smaller = Pools.pool(Balance.SOURCE_HASH, 1, four);
        final ConnectAttempt smallerAttempt = smaller.newAttempt();
        int moved = 0;
        for (int key = 0; key < keys; key++)
        {
            final UpstreamServer server = smaller.select(smallerAttempt.reset(key));
            smaller.onConnectionClosed(server);
            if (!server.label().equals(before[key]))
            {
                assertEquals(removed, before[key], "client " + key + " moved though its server stayed");
                moved++;
            }
        }
        assertEquals(counts.get(removed).intValue(), moved, "every client of the removed server moved");

        // taken out at run time (admin or health): the same holds, and its clients come back after
        final UpstreamServer out = pool.servers().get(2);
        out.adminState(AdminState.DRAINING);
        for (int key = 0; key < keys; key++)
        {
            final UpstreamServer server = pool.select(attempt.reset(key));
            pool.onConnectionClosed(server);
            assertTrue(server.label().equals(before[key]) || before[key].equals(out.label()));
            assertNotEquals(out, server);
        }
        out.adminState(AdminState.ENABLED);
        for (int key = 0; key < keys; key++)
        {
            final UpstreamServer server = pool.select(attempt.reset(key));
            pool.onConnectionClosed(server);
            assertEquals(before[key], server.label());
        }
    }

    @Test
    void shouldHashTheClientAddressNotThePort() throws Exception
    {
        final UpstreamPool pool = Pools.pool(Balance.SOURCE_HASH, 1, Pools.servers(1, 1, 1, 1, 1, 1, 1, 1));
        final ConnectAttempt attempt = pool.newAttempt();
        final Set<UpstreamServer> chosen = new HashSet<>();
        for (int i = 1; i < 200; i++)
        {
            final UpstreamServer server = pool.select(
                attempt.reset(java.net.InetAddress.getByName("10.1.0." + i)));
            pool.onConnectionClosed(server);
            chosen.add(server);
            final UpstreamServer again = pool.select(attempt.reset(java.net.InetAddress.getByName("10.1.0." + i)));
            pool.onConnectionClosed(again);
            assertSame(server, again);
        }
        assertEquals(8, chosen.size(), "neighbouring addresses spread over all servers");
    }

    @Test
    void shouldRetryOnADifferentServerUntilTheAttemptsAreSpent()
    {
        for (final Balance balance : Balance.values())
        {
            final UpstreamPool pool = Pools.pool(balance, 3, Pools.servers(1, 1, 1, 1));
            final ConnectAttempt attempt = pool.newAttempt().reset(42);
            final Set<UpstreamServer> tried = new HashSet<>();
            for (int i = 0; i < 3; i++)
            {
                final UpstreamServer server = pool.select(attempt);
                assertNotNull(server, balance + " try " + i);
                assertTrue(tried.add(server), balance + " tried " + server + " twice");
                assertEquals(1, server.activeConnections(), "a slot is held while connecting");
                pool.onConnectFailure(server, ConnectFailure.CONNECT_REFUSED);
                assertEquals(0, server.activeConnections());
                assertEquals(1, server.connectFailuresTotal(ConnectFailure.CONNECT_REFUSED));
            }
            assertNull(pool.select(attempt), balance + ": connect_attempts spent");
            assertEquals(3, attempt.tries());
            assertEquals(2, pool.connectRetriesTotal());
        }
    }

    @Test
    void shouldGiveUpWhenEveryServerWasTriedBeforeTheAttemptsAreSpent()
    {
        final UpstreamPool pool = Pools.pool(Balance.ROUND_ROBIN, 5, Pools.servers(1, 1));
        final ConnectAttempt attempt = pool.newAttempt().reset(1);
        pool.onConnectFailure(pool.select(attempt), ConnectFailure.CONNECT_TIMEOUT);
        pool.onConnectFailure(pool.select(attempt), ConnectFailure.CONNECT_TIMEOUT);
        assertNull(pool.select(attempt));
        assertEquals(2, attempt.tries(), "not no_upstream: the tries failed");
    }

    @Test
    void shouldUseBackupServersOnlyWhileNoOtherServerIsUp()
    {
        final List<ServerSpec> specs = new ArrayList<>(Pools.servers(1, 1));
        specs.add(new ServerSpec("127.0.0.1:20100", 1, true, 0));
        final UpstreamPool pool = Pools.pool(Balance.ROUND_ROBIN, 3, specs);
        final ConnectAttempt attempt = pool.newAttempt();
        final List<UpstreamServer> servers = pool.servers();
        final UpstreamServer backup = servers.get(2);
        for (int i = 0; i < 100; i++)
        {
            final UpstreamServer server = pool.select(attempt.reset(i));
            assertNotEquals(backup, server);
            pool.onConnectionClosed(server);
        }
        servers.get(0).healthy(false);
        servers.get(1).adminState(AdminState.DISABLED);
        final UpstreamServer server = pool.select(attempt.reset(1));
        assertSame(backup, server);
        pool.onConnectionClosed(server);

        servers.get(0).healthy(true);
        for (int i = 0; i < 10; i++)
        {
            final UpstreamServer back = pool.select(attempt.reset(i));
            assertSame(servers.get(0), back);
            pool.onConnectionClosed(back);
        }
    }

    @Test
    void shouldRetryOnTheBackupWhenTheOnlyOtherServerFailsToConnect()
    {
        final List<ServerSpec> specs = new ArrayList<>(Pools.servers(1));
        specs.add(new ServerSpec("127.0.0.1:20100", 1, true, 0));
        final UpstreamPool pool = Pools.pool(Balance.LEAST_CONNECTIONS, 2, specs);
        final ConnectAttempt attempt = pool.newAttempt().reset(7);
        final UpstreamServer first = pool.select(attempt);
        assertSame(pool.servers().get(0), first);
        pool.onConnectFailure(first, ConnectFailure.CONNECT_REFUSED);
        assertSame(pool.servers().get(1), pool.select(attempt));
    }

    @Test
    void shouldSkipAServerAtItsMaxConnections()
    {
        final List<ServerSpec> specs = List.of(
            new ServerSpec("127.0.0.1:20001", 1, false, 2), new ServerSpec("127.0.0.1:20002", 1, false, 3));
        for (final Balance balance : Balance.values())
        {
            final UpstreamPool pool = Pools.pool(balance, 1, specs);
            final ConnectAttempt attempt = pool.newAttempt();
            for (int i = 0; i < 5; i++)
            {
                assertNotNull(Pools.connect(pool, attempt, i), balance + " client " + i);
            }
            assertEquals(2, pool.servers().get(0).activeConnections(), balance.label());
            assertEquals(3, pool.servers().get(1).activeConnections(), balance.label());
            assertNull(pool.select(attempt.reset(99)), balance + ": all full");
            assertEquals(0, attempt.tries(), "no_upstream");

            pool.onConnectionClosed(pool.servers().get(0));
            assertSame(pool.servers().get(0), pool.select(attempt.reset(99)), balance.label());
        }
    }

    @Test
    void shouldNeverExceedMaxConnectionsUnderConcurrentWorkers() throws Exception
    {
        final UpstreamPool pool = Pools.pool(Balance.ROUND_ROBIN, 1,
            List.of(new ServerSpec("127.0.0.1:20001", 1, false, 10)));
        final Thread[] workers = new Thread[4];
        final java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        for (int w = 0; w < workers.length; w++)
        {
            workers[w] = new Thread(() ->
            {
                final ConnectAttempt attempt = pool.newAttempt();
                for (int i = 0; i < 1000; i++)
                {
                    if (Pools.connect(pool, attempt, i) != null)
                    {
                        got.incrementAndGet();
                    }
                }
            });
            workers[w].start();
        }
        for (final Thread worker : workers)
        {
            worker.join(30_000);
        }
        assertEquals(10, got.get());
        assertEquals(10, pool.servers().get(0).activeConnections());
    }

    @Test
    void shouldFindNoUpstreamWhenAllServersAreDown()
    {
        for (final Balance balance : Balance.values())
        {
            final UpstreamPool pool = Pools.pool(balance, 3, Pools.servers(1, 2, 3));
            for (final UpstreamServer server : pool.servers())
            {
                server.healthy(false);
            }
            final ConnectAttempt attempt = pool.newAttempt().reset(1);
            assertNull(pool.select(attempt), balance.label());
            assertEquals(0, attempt.tries(), "no_upstream");
        }
    }
}
