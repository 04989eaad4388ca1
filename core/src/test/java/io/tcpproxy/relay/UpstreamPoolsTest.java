package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Balance;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.config.HealthCheck;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.UpstreamFamilies;
import io.tcpproxy.testsupport.Closer;
import io.tcpproxy.upstream.AdminState;
import io.tcpproxy.upstream.UpstreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream pools end to end (issue 13): several named echo servers behind the proxy, real sockets.
 */
class UpstreamPoolsTest
{
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    private final Closer toClose = new Closer();

    @AfterEach
    void closeAll() throws Exception
    {
        toClose.close();
    }

    @Test
    void weightedRoundRobinIsExactOverACycle() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final NamedServer c = server("C");
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN, upstream(a, 3), upstream(b, 1), upstream(c, 2)));

        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 12; i++) // two cycles of 3 + 1 + 2
        {
            counts.merge(nameVia(proxy), 1, Integer::sum);
        }
        assertEquals(Map.of("A", 6, "B", 2, "C", 4), counts);

        final MetricsSnapshot s = ProxyAwait.metrics(proxy, "per-server connection counts",
            (m) -> m.value(UpstreamFamilies.CONNECTIONS_TOTAL, a.address(), "default") == 6 &&
            m.value(UpstreamFamilies.CONNECTIONS_TOTAL, b.address(), "default") == 2 &&
            m.value(UpstreamFamilies.CONNECTIONS_TOTAL, c.address(), "default") == 4 &&
            m.value(UpstreamFamilies.CONNECTIONS_ACTIVE, a.address(), "default") == 0);
        assertEquals(1, s.value(UpstreamFamilies.UP, b.address(), "default"));
        assertEquals(1, s.value(UpstreamFamilies.UP, c.address(), "default"));
        // each client sent "ping\n" (5 bytes) and got "NAME\n" + "ping\n" back (7 bytes)
        ProxyAwait.metrics(proxy, "per-server bytes",
            (m) -> m.value(UpstreamFamilies.BYTES_SENT, a.address(), "default") == 6 * 5 &&
            m.value(UpstreamFamilies.BYTES_RECEIVED, a.address(), "default") == 6 * 7);
    }

    @Test
    void leastConnectionsFillsTheEmptierServer() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final Proxy proxy = start(pool(Balance.LEAST_CONNECTIONS, upstream(a, 1), upstream(b, 1)));

        final List<Named> held = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            held.add(open(proxy));
        }
        assertEquals(3, count(held, "A"));
        assertEquals(3, count(held, "B"));

        // close the A connections: the next four go to A until it catches up... (3 on B, 0 on A)
        for (final Named named : new ArrayList<>(held))
        {
            if (named.name.equals("A"))
            {
                named.socket.close();
                held.remove(named);
            }
        }
        ProxyAwait.metrics(proxy, "A's connections closed", (m) -> m.value(UpstreamFamilies.CONNECTIONS_ACTIVE,
            a.address(), "default") == 0 && m.value(UpstreamFamilies.CONNECTIONS_ACTIVE, b.address(), "default") == 3);
        final List<Named> more = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            more.add(open(proxy));
        }
        assertEquals(3, count(more, "A"), "least_connections sends new clients to the emptier server");
        closeAllNamed(held);
        closeAllNamed(more);
    }

    @Test
    void sourceHashKeepsEachClientOnItsServer() throws Exception
    {
        final Map<String, NamedServer> byName = servers("A", "B", "C");
        final Proxy proxy = start(pool(Balance.SOURCE_HASH,
            byName.values().stream().map((server) -> upstream(server, 1)).toArray(Upstream[]::new)));

        final Map<String, String> serverBySource = new HashMap<>();
        for (int round = 0; round < 3; round++)
        {
            for (int host = 1; host <= 12; host++)
            {
                final String source = "127.0.0." + host;
                final String name = nameVia(proxy, source);
                final String before = serverBySource.putIfAbsent(source, name);
                if (before != null)
                {
                    assertEquals(before, name, "client " + source + " moved");
                }
            }
        }
        assertTrue(serverBySource.values().stream().distinct().count() > 1, "12 clients all on one server: " +
            serverBySource);

        // take one server out (drained): only its clients move, everyone else stays where they were
        final String removed = serverBySource.get("127.0.0.1");
        for (final UpstreamServer server : proxy.upstreams())
        {
            if (server.label().equals(byName.get(removed).address()))
            {
                server.adminState(AdminState.DRAINING);
            }
        }
        for (int host = 1; host <= 12; host++)
        {
            final String source = "127.0.0." + host;
            final String name = nameVia(proxy, source);
            if (serverBySource.get(source).equals(removed))
            {
                assertTrue(!name.equals(removed), "client " + source + " still on the drained server");
            }
            else
            {
                assertEquals(serverBySource.get(source), name, "client " + source + " moved though its server stayed");
            }
        }
    }

    @Test
    void aServerKilledMidTestIsRetriedAroundThenMarkedDownAndUpAgain() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final ConsoleCapture console = new ConsoleCapture();
        final Proxy proxy = start(
            pool(Balance.ROUND_ROBIN, upstream(a, 1), upstream(b, 1)).healthCheck(fastChecks(2, 2).build()), console);
        console.awaitLine("[UPSTREAM] pool default: round_robin over 2 servers: " + a.address() + ", " + b.address());

        for (int i = 0; i < 4; i++)
        {
            nameVia(proxy);
        }
        a.kill();
        // every client still gets an answer: a refused connect to A is retried on B
        for (int i = 0; i < 10; i++)
        {
            assertEquals("B", nameVia(proxy));
        }
        console.awaitLine("[HEALTH] " + a.address() + " DOWN after 2 failed checks (connect_refused)");
        ProxyAwait.metrics(proxy, "A down", (m) -> m.value(UpstreamFamilies.UP, a.address(), "default") == 0 &&
            m.value(UpstreamFamilies.CONNECT_RETRIES) >= 1 &&
            m.value(UpstreamFamilies.CONNECT_FAILURES, a.address(), "default", "connect_refused") >= 1 &&
            m.value(UpstreamFamilies.HEALTH_CHECKS, a.address(), "default", "connect_refused") >= 2);
        assertEquals(0, proxy.metrics().closes(CloseReason.CONNECT_REFUSED), "no client saw the refused connect");

        a.restart();
        console.awaitLine("[HEALTH] " + a.address() + " UP after 2 checks");
        ProxyAwait.metrics(proxy, "A up", (m) -> m.value(UpstreamFamilies.UP, a.address(), "default") == 1);
        final Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4; i++)
        {
            counts.merge(nameVia(proxy), 1, Integer::sum);
        }
        assertEquals(Map.of("A", 2, "B", 2), counts);
    }

    @Test
    void backupServersTakeOverOnlyWhileNoPrimaryIsUp() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer backup = server("BACKUP");
        final ConsoleCapture console = new ConsoleCapture();
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN, upstream(a, 1),
            Upstream.builder().addr(backup.address()).backup(true).build()).healthCheck(fastChecks(1, 1).build()),
            console);

        for (int i = 0; i < 4; i++)
        {
            assertEquals("A", nameVia(proxy));
        }
        a.kill();
        console.awaitLine("[HEALTH] " + a.address() + " DOWN");
        for (int i = 0; i < 4; i++)
        {
            assertEquals("BACKUP", nameVia(proxy));
        }
        a.restart();
        console.awaitLine("[HEALTH] " + a.address() + " UP");
        assertEquals("A", nameVia(proxy));
    }

    @Test
    void aServerAtItsMaxConnectionsIsSkippedAndAFullPoolClosesWithNoUpstream() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN,
            Upstream.builder().addr(a.address()).maxConnections(1).build(),
            Upstream.builder().addr(b.address()).maxConnections(2).build()));

        final List<Named> held = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            held.add(open(proxy));
        }
        assertEquals(1, count(held, "A"));
        assertEquals(2, count(held, "B"));

        try (Socket refused = Clients.connect(proxy))
        {
            assertTrue(endedWithoutData(refused));
        }
        ProxyAwait.metrics(proxy, "a no_upstream close", (m) -> m.closes(CloseReason.NO_UPSTREAM) == 1);
        assertEquals(0, a.accepted() + b.accepted() - 3, "the refused client never reached a server");

        held.get(0).socket.close();
        ProxyAwait.metrics(proxy, "a slot freed",
            (m) -> m.value(UpstreamFamilies.CONNECTIONS_ACTIVE, a.address(), "default") +
            m.value(UpstreamFamilies.CONNECTIONS_ACTIVE, b.address(), "default") == 2);
        held.add(open(proxy)); // room again
        closeAllNamed(held);
    }

    @Test
    void allServersDownClosesWithTheLastConnectFailureAfterRetries() throws Exception
    {
        final String dead1 = "127.0.0.1:" + NamedServer.deadPort();
        final String dead2 = "127.0.0.1:" + NamedServer.deadPort();
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN, Upstream.of(dead1), Upstream.of(dead2)));
        try (Socket client = Clients.connect(proxy))
        {
            assertTrue(endedWithoutData(client));
        }
        final MetricsSnapshot s = ProxyAwait.metrics(proxy, "a refused close after two tries",
            (m) -> m.closes(CloseReason.CONNECT_REFUSED) == 1 &&
            m.value(UpstreamFamilies.CONNECT_FAILURES, dead1, "default", "connect_refused") +
            m.value(UpstreamFamilies.CONNECT_FAILURES, dead2, "default", "connect_refused") == 2);
        assertEquals(1, s.value(UpstreamFamilies.CONNECT_RETRIES));
    }

    @Test
    void aCheckWithExpectMarksTheServerThatAnswersWrongDown() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final ConsoleCapture console = new ConsoleCapture();
        final HealthCheck check = fastChecks(1, 2).send("hello\\r\\n").expect("A\\n").build();
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN, upstream(a, 1), upstream(b, 1)).healthCheck(check),
            console);

        console.awaitLine("[HEALTH] " + b.address() + " DOWN after 2 failed checks (bad_reply)");
        ProxyAwait.metrics(proxy, "B down, A up", (m) -> m.value(UpstreamFamilies.UP, b.address(), "default") == 0 &&
            m.value(UpstreamFamilies.UP, a.address(), "default") == 1 &&
            m.value(UpstreamFamilies.HEALTH_CHECKS, a.address(), "default", "ok") >= 1 &&
            m.value(UpstreamFamilies.HEALTH_CHECKS, b.address(), "default", "bad_reply") >= 2);
        for (int i = 0; i < 4; i++)
        {
            assertEquals("A", nameVia(proxy));
        }
        assertFalse(console.contains("[HEALTH] " + a.address() + " DOWN"));
    }

    @Test
    void drainedServersTakeNoNewClientsAndTheHealthThreadsStopOnClose() throws Exception
    {
        final NamedServer a = server("A");
        final NamedServer b = server("B");
        final HealthCheck check = fastChecks(1, 1).build();
        final Proxy proxy = TestProxies.start(pool(Balance.ROUND_ROBIN, upstream(a, 1), upstream(b, 1))
            .healthCheck(check));
        try
        {
            final List<UpstreamServer> servers = proxy.upstreams();
            assertEquals(List.of(a.address(), b.address()), servers.stream().map(UpstreamServer::label).toList());
            servers.get(0).adminState(AdminState.DRAINING);
            for (int i = 0; i < 4; i++)
            {
                assertEquals("B", nameVia(proxy));
            }
            assertTrue(healthThreads() > 0, "a health agent runs while the proxy does");
        }
        finally
        {
            proxy.close();
        }
        assertEquals(0, healthThreads(), "health agents stopped with the proxy");
    }

    @Test
    void withoutRoutesEveryConnectionGoesToPoolDefaultWhereverItIsListed() throws Exception
    {
        final NamedServer api = server("API");
        final NamedServer web = server("WEB");
        final Proxy proxy = start(pool(Balance.ROUND_ROBIN,
            Upstream.builder().addr(api.address()).pool("api").build(), upstream(web, 1)));
        assertEquals(List.of("api", "default"), proxy.upstreamPools().stream().map((p) -> p.name()).toList());
        for (int i = 0; i < 3; i++)
        {
            assertEquals("WEB", nameVia(proxy));
        }
        assertEquals(0, api.accepted());
    }

    @Test
    void aLiteralTargetAddrIsAPoolOfOneWithItsMetrics() throws Exception
    {
        final NamedServer a = server("A");
        final Proxy proxy = start(TestProxies.configFor(a.address()));
        assertEquals(1, proxy.upstreams().size());
        assertEquals("A", nameVia(proxy));
        ProxyAwait.metrics(proxy, "the target's counts", (m) -> m.value(UpstreamFamilies.CONNECTIONS_TOTAL,
            a.address(), "default") == 1 && m.value(UpstreamFamilies.BYTES_SENT, a.address(), "default") == 5);
    }

    // ---- helpers

    private static long healthThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((t) -> t.isAlive() && t.getName().startsWith("tcp-proxy-health-")).count();
    }

    private NamedServer server(final String name) throws IOException
    {
        final NamedServer server = NamedServer.start(name);
        toClose.add(server);
        return server;
    }

    /** @return servers with these names, started (closed after the test), by name in the order given. */
    private Map<String, NamedServer> servers(final String... names) throws IOException
    {
        final Map<String, NamedServer> byName = new LinkedHashMap<>();
        for (final String name : names)
        {
            byName.put(name, server(name));
        }
        return byName;
    }

    /** Health checks every 200 ms (1 s timeout): a server goes down or up within a second or so. */
    private static HealthCheck.Builder fastChecks(final int rise, final int fall)
    {
        return HealthCheck.builder().intervalMs(200).timeoutMs(1000).rise(rise).fall(fall);
    }

    private static Upstream upstream(final NamedServer server, final int weight)
    {
        return Upstream.builder().addr(server.address()).weight(weight).build();
    }

    private static ConfigBuilder pool(final Balance balance, final Upstream... servers)
    {
        return Config.builder()
            .listenAddress("127.0.0.1:0")
            .metricsAddress("")
            .workers(2)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0)
            .balance(balance)
            .connectAttempts(3)
            .upstreams(List.of(servers));
    }

    private Proxy start(final ConfigBuilder config) throws IOException
    {
        final Proxy proxy = TestProxies.start(config);
        toClose.add(proxy);
        return proxy;
    }

    private Proxy start(final ConfigBuilder config, final ConsoleCapture console) throws IOException
    {
        final Proxy proxy = TestProxies.start(config, console);
        toClose.add(proxy);
        return proxy;
    }

    private record Named(String name, Socket socket)
    {
    }

    private static Named open(final Proxy proxy) throws IOException
    {
        final Socket socket = Clients.connect(proxy);
        return new Named(readLine(socket.getInputStream()), socket);
    }

    private static String nameVia(final Proxy proxy) throws IOException
    {
        return nameVia(proxy, null);
    }

    /** One short client: read the server's name, check an echo, close. */
    private static String nameVia(final Proxy proxy, final String sourceIp) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.setSoTimeout(Clients.SAFETY_READ_TIMEOUT_MS);
            if (sourceIp != null)
            {
                socket.bind(new InetSocketAddress(InetAddress.getByName(sourceIp), 0));
            }
            socket.connect(proxy.localAddress(), 5000);
            final String name = readLine(socket.getInputStream());
            Clients.assertEchoes(socket, "ping\n");
            return name;
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n')
        {
            line.append((char)b);
        }
        if (b < 0)
        {
            throw new IOException("connection ended before the server's name (got \"" + line + "\")");
        }
        return line.toString();
    }

    /** @return whether the proxy ended the connection (EOF or reset) without relaying a byte. */
    private static boolean endedWithoutData(final Socket socket) throws IOException
    {
        socket.setSoTimeout((int)GENEROUS.toMillis());
        try
        {
            return socket.getInputStream().read() < 0;
        }
        catch (final java.net.SocketException ex)
        {
            return true; // reset
        }
    }

    private static int count(final List<Named> named, final String name)
    {
        return (int)named.stream().filter((n) -> n.name.equals(name)).count();
    }

    private static void closeAllNamed(final List<Named> named) throws IOException
    {
        for (final Named n : named)
        {
            n.socket.close();
        }
    }
}
