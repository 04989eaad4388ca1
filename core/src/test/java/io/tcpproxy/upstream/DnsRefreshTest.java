package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnsRefreshTest
{
    private final FakeClock clock = new FakeClock();
    private final RecordingListener listener = new RecordingListener();
    private final Map<String, InetAddress[]> records = new ConcurrentHashMap<>();
    private final List<String> lookups = new ArrayList<>();
    private final Resolver fakeDns = host ->
    {
        lookups.add(host);
        final InetAddress[] addresses = records.get(host);
        if (addresses == null)
        {
            throw new UnknownHostException(host + ": not found");
        }
        return addresses;
    };

    private static InetAddress[] ips(final String... literals) throws UnknownHostException
    {
        final InetAddress[] addresses = new InetAddress[literals.length];
        for (int i = 0; i < literals.length; i++)
        {
            addresses[i] = InetAddress.getByName(literals[i]);
        }
        return addresses;
    }

    private UpstreamPool pool(final List<ServerSpec> servers)
    {
        return UpstreamPool.create(new PoolSpec("default", servers, Balance.ROUND_ROBIN, 3, null,
            PassiveHealthSpec.defaults(), 30), fakeDns, clock, listener);
    }

    private static List<String> labels(final UpstreamPool pool)
    {
        final List<String> labels = new ArrayList<>();
        for (final UpstreamServer server : pool.servers())
        {
            labels.add(server.label());
        }
        return labels;
    }

    @Test
    void shouldMakeOneServerPerAddressOfAName() throws Exception
    {
        records.put("db.test", ips("10.0.0.1", "10.0.0.2", "fd00::2"));
        final UpstreamPool pool = pool(List.of(new ServerSpec("db.test:5432", 3, false, 7),
            ServerSpec.of("10.9.9.9:5432")));
        assertEquals(List.of("db.test:5432/10.0.0.1", "db.test:5432/10.0.0.2", "db.test:5432/[fd00::2]",
            "10.9.9.9:5432"), labels(pool));
        final UpstreamServer first = pool.servers().get(0);
        assertEquals(3, first.weight());
        assertEquals(7, first.maxConnections());
        assertEquals("db.test:5432", first.configuredAddr());
        assertEquals(5432, first.address().getPort());
        assertEquals(List.of("db.test"), lookups, "literal addresses are not looked up");
    }

    @Test
    void shouldJoinAddedAddressesAndRetireRemovedOnesOnTheAgentsSchedule() throws Exception
    {
        records.put("db.test", ips("10.0.0.1", "10.0.0.2"));
        final UpstreamPool pool = pool(List.of(ServerSpec.of("db.test:5432")));
        final UpstreamServer leaving = pool.servers().get(0);
        final UpstreamServer staying = pool.servers().get(1);
        final ConnectAttempt attempt = pool.newAttempt();
        UpstreamServer open = pool.select(attempt.reset(1));
        assertSame(leaving, open);
        pool.onConnectSuccess(open);
        final UpstreamServer onStaying = pool.select(attempt.reset(2));
        pool.onConnectSuccess(onStaying);

        records.put("db.test", ips("10.0.0.2", "10.0.0.3"));
        clock.advanceSecs(29);
        pool.agent().doWork();
        assertEquals(1, lookups.size(), "not due before dns_refresh_secs");
        clock.advanceSecs(1);
        pool.agent().doWork();
        assertEquals(2, lookups.size());
        assertEquals(List.of("db.test:5432/10.0.0.2", "db.test:5432/10.0.0.3"), labels(pool));
        assertSame(staying, pool.servers().get(0), "a kept address keeps its server, counts and state");
        assertEquals(1, staying.activeConnections());
        assertTrue(leaving.isRetired());
        assertEquals(List.of("[DNS] db.test:5432: +10.0.0.3 -10.0.0.1 (removed addresses take no new clients; " +
            "their connections finish normally)"), listener.lines);

        for (int i = 0; i < 20; i++)
        {
            final UpstreamServer server = pool.select(attempt.reset(i));
            assertNotSame(leaving, server, "a removed address takes no new client");
            pool.onConnectionClosed(server);
        }
        assertEquals(1, leaving.activeConnections(), "its connection is still open");
        pool.onConnectionClosed(open);
        assertEquals(0, leaving.activeConnections(), "and finishes normally");

        // nothing changed: no new set, no line
        clock.advanceSecs(30);
        pool.agent().doWork();
        assertEquals(1, listener.lines.size());
    }

    @Test
    void shouldKeepThePreviousAddressesWhenANameStopsResolving() throws Exception
    {
        records.put("db.test", ips("10.0.0.1"));
        final UpstreamPool pool = pool(List.of(ServerSpec.of("db.test:5432")));
        records.remove("db.test");
        clock.advanceSecs(30);
        pool.agent().doWork();
        assertEquals(List.of("db.test:5432/10.0.0.1"), labels(pool));
        assertEquals(List.of("[DNS] db.test:5432 did not resolve (db.test: not found); keeping its previous addresses"),
            listener.lines);
    }

    @Test
    void shouldStartWithoutServersForANameThatDoesNotResolveYetAndAddThemLater() throws Exception
    {
        final UpstreamPool pool = pool(List.of(ServerSpec.of("late.test:80")));
        assertTrue(pool.servers().isEmpty());
        final ConnectAttempt attempt = pool.newAttempt().reset(1);
        assertNull(pool.select(attempt));
        assertEquals(0, attempt.tries(), "no_upstream");

        records.put("late.test", ips("10.0.0.5"));
        clock.advanceSecs(30);
        pool.agent().doWork();
        assertEquals(List.of("late.test:80/10.0.0.5"), labels(pool));
        assertEquals(pool.servers().get(0), pool.select(attempt.reset(1)));
    }

    @Test
    void shouldCountLocalhostAsOneServerPerAddress() throws Exception
    {
        final Set<InetAddress> expected = new LinkedHashSet<>(List.of(InetAddress.getAllByName("localhost")));
        final UpstreamPool pool = UpstreamPool.create(PoolSpec.of(List.of(ServerSpec.of("localhost:8080"))),
            UpstreamListener.NONE);
        assertEquals(expected.size(), pool.servers().size(), "localhost resolves to " + expected);
        final List<String> labels = labels(pool);
        for (final InetAddress address : expected)
        {
            assertTrue(labels.contains("localhost:8080/" + PoolAddresses.ipText(address)), labels.toString());
        }
        final boolean hasBoth = expected.stream().anyMatch(a -> a instanceof java.net.Inet4Address) &&
            expected.stream().anyMatch(a -> a instanceof java.net.Inet6Address);
        if (hasBoth)
        {
            // this machine maps localhost to both 127.0.0.1 and ::1: two servers
            assertTrue(labels.contains("localhost:8080/127.0.0.1"), labels.toString());
            assertTrue(labels.contains("localhost:8080/[::1]"), labels.toString());
        }
        assertFalse(labels.isEmpty());
    }
}
