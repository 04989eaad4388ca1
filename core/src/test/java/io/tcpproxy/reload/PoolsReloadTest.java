package io.tcpproxy.reload;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.metrics.ReloadFamilies;
import io.tcpproxy.metrics.UpstreamFamilies;
import io.tcpproxy.protocol.ClientHellos;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import io.tcpproxy.upstream.UpstreamServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.tcpproxy.testsupport.ClientSockets.readOrEof;
import static io.tcpproxy.testsupport.ClientSockets.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reloads that change the servers, weights, pools, routes and health settings of a running proxy (issue 16): under
 * load without an error or a dropped connection, the drain of removed servers ({@code removed_server_drain_secs}),
 * SNI routes to a new pool, and an invalid file that changes nothing.
 */
class PoolsReloadTest
{
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    @RegisterExtension
    final ProxyFromFile fixture = new ProxyFromFile();
    private final List<TestUpstream> servers = new ArrayList<>();
    private Proxy proxy;

    @BeforeEach
    void setUp() throws IOException
    {
        for (int i = 0; i < 3; i++)
        {
            servers.add(fixture.newEcho());
        }
    }

    @Test
    @Timeout(300)
    void twentyReloadsUnderLoadDropNothingAndEachIsInForce() throws Exception
    {
        // server index -> weight, plus the top-level keys of each step
        final List<Map<Integer, Integer>> steps = List.of(
            weights(0, 1, 1, 1), weights(0, 1, 1, 1, 2, 1), weights(0, 3, 2, 1), weights(1, 2, 2, 1),
            weights(1, 1), weights(0, 2, 1, 1, 2, 2));
        start(steps.get(0), "max_connections = 1000\nallow = [\"127.0.0.0/8\"]\n");
        final Load load = new Load(proxy.localAddress(), 100, 4);
        try
        {
            load.start();
            Await.until("the load running", () -> load.roundTrips.get() > 500, AWAIT);
            Map<Integer, Integer> previous = steps.get(0);
            for (int reload = 1; reload <= 20; reload++)
            {
                final Map<Integer, Integer> step = steps.get(reload % steps.size());
                final int maxConnections = 1000 + reload;
                final String allow = reload % 2 == 0 ? "[\"127.0.0.0/8\"]" : "[\"127.0.0.0/8\", \"10.0.0.0/8\"]";
                write(step, "max_connections = " + maxConnections + "\nallow = " + allow + "\n");
                final ReloadResult result = proxy.reload();
                final Map<Integer, Long> lastIdBefore = lastIds(); // anything admitted after this saw the new table
                assertTrue(result.applied(), result.toString());
                assertEquals(List.of(), result.needsRestart(), result.toString());
                assertChangesDescribed(previous, step, result);
                assertEquals(maxConnections, proxy.config().maxConnections());
                assertEquals(configured(step), inForce(), "the pool serves the new server set");
                awaitNewConnectionsOnlyOn(step, lastIdBefore, load);
                previous = step;
            }
            final long before = load.roundTrips.get();
            Await.until("the load still running after the reloads", () -> load.roundTrips.get() > before + 500, AWAIT);
        }
        finally
        {
            load.stop();
        }
        assertEquals(List.of(), load.errors(), "no load error, no dropped connection");
        assertTrue(load.checkEveryOpenConnection(), "every connection still open relays byte for byte");
        Await.until("20 reloads counted", () -> proxy.metrics().value(ReloadFamilies.RELOADS, "applied") == 20, AWAIT);
        assertEquals(0, proxy.metrics().internalErrors());

        // weights in force: over two cycles of round robin with 3:1, exactly 6 and 2 new connections
        write(weights(0, 3, 2, 1), "");
        assertTrue(proxy.reload().applied());
        final Map<Integer, Long> lastId = lastIds();
        for (int i = 0; i < 8; i++)
        {
            connect();
        }
        final Map<Integer, Integer> reached = new HashMap<>();
        Await.until("8 new connections relaying", () ->
        {
            reached.clear();
            for (final ConnectionInfo info : admittedAfter(lastId))
            {
                if (info.upstream() != null)
                {
                    reached.merge(serverIndexOf(info.upstream()), 1, Integer::sum);
                }
            }
            return reached.values().stream().mapToInt(Integer::intValue).sum() == 8;
        }, AWAIT);
        assertEquals(Map.of(0, 6, 2, 2), reached, "weights 3:1 over two cycles");
    }

    @Test
    @Timeout(120)
    void removedServerConnectionsEndWithServerRemovedSpreadOverTime() throws Exception
    {
        start(weights(0, 1), "");
        final List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final Socket socket = connect();
            roundTrip(socket, ("hello " + i).getBytes(StandardCharsets.US_ASCII));
            held.add(socket);
        }
        final UpstreamServer removed = proxy.upstreamPools().get(0).servers().get(0);
        write(weights(1, 1), "removed_server_drain_secs = 2\n");
        final ReloadResult result = proxy.reload();
        assertTrue(result.applied(), result.toString());
        assertTrue(result.changes().containsAll(List.of("+1 server", "-1 server")), result.toString());
        assertTrue(result.changes().contains("removed_server_drain_secs (0 → 2)"), result.toString());
        assertTrue(console().contains("[RELOAD] applied: +1 server, -1 server"), console());

        // still relaying during the drain; the series of the removed server stays while it has connections
        roundTrip(held.get(0), "during the drain".getBytes(StandardCharsets.US_ASCII));
        Await.until("the removed server's series shown as down", () ->
            proxy.metrics().value(UpstreamFamilies.CONNECTIONS_ACTIVE, label(0), "default") == 8 &&
            proxy.metrics().value(UpstreamFamilies.UP, label(0), "default") == 0, AWAIT);

        // one reader each, so every close is seen when it happens, whatever order the deadlines come in
        final long[] closedAtNs = new long[held.size()];
        final List<Thread> readers = new ArrayList<>();
        final int[] reads = new int[held.size()];
        for (int i = 0; i < held.size(); i++)
        {
            final int index = i;
            final Thread reader = new Thread(() ->
            {
                reads[index] = readOrEof(held.get(index));
                closedAtNs[index] = System.nanoTime();
            }, "drain-reader-" + i);
            reader.start();
            readers.add(reader);
        }
        for (final Thread reader : readers)
        {
            reader.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(reader.isAlive(), "a held connection was not closed within 60 s");
        }
        for (final int read : reads)
        {
            assertEquals(-1, read, "closed at the end of the drain");
        }
        Await.until("8 closes with server_removed", () -> proxy.metrics().closes(CloseReason.SERVER_REMOVED) == 8,
            AWAIT);
        Arrays.sort(closedAtNs);
        // deadlines 2 s + k * 250 ms apart: not at one instant (a loose bound, not a window)
        assertTrue(closedAtNs[7] - closedAtNs[0] >= TimeUnit.MILLISECONDS.toNanos(300),
            "the closes are spread: " + Arrays.toString(closedAtNs));
        assertEquals(8, removed.connectionsTotal(), "its counters stayed");
        Await.until("the removed server's series dropped once its connections ended", () ->
            proxy.metrics().value(UpstreamFamilies.CONNECTIONS_ACTIVE, label(0), "default") == 0 &&
            proxy.metrics().family(UpstreamFamilies.CONNECTIONS_TOTAL).sample(label(0), "default") == null, AWAIT);

        // brought back: the same counters go on
        write(weights(0, 1, 1, 1), "removed_server_drain_secs = 2\n");
        assertTrue(proxy.reload().applied());
        assertTrue(proxy.upstreamPools().get(0).servers().contains(removed), "the same server object is back");
        Await.until("its series back with the same total", () ->
            proxy.metrics().value(UpstreamFamilies.CONNECTIONS_TOTAL, label(0), "default") == 8, AWAIT);
    }

    @Test
    @Timeout(120)
    void withoutADrainTimeConnectionsToARemovedServerKeepRunning() throws Exception
    {
        start(weights(0, 1), "");
        final Socket held = connect();
        roundTrip(held, "before".getBytes(StandardCharsets.US_ASCII));
        write(weights(1, 1), "");
        assertTrue(proxy.reload().applied());
        final Socket fresh = connect();
        roundTrip(fresh, "new".getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, servers.get(1).accepted(), "the new connection reached the added server");
        assertEquals(1, servers.get(0).accepted(), "none reached the removed one");
        Thread.sleep(3000); // longer than the 2 s drain of the other test: nothing closes it
        roundTrip(held, "after three seconds".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, proxy.metrics().closes(CloseReason.SERVER_REMOVED));
    }

    @Test
    @Timeout(120)
    void aNewRouteSendsItsServerNameToANewPool() throws Exception
    {
        final String api = "[[upstream]]\naddr = \"" + servers.get(0).address() + "\"\n" +
            "[[upstream]]\naddr = \"" + servers.get(1).address() + "\"\npool = \"api\"\n";
        startRaw(api + "[[route]]\nsni = [\"api.test\"]\npool = \"api\"\n");
        helloThrough("api.test");
        helloThrough("web.test");
        assertEquals(1, servers.get(1).accepted(), "api.test to pool api");
        assertEquals(1, servers.get(0).accepted(), "web.test to the default pool");

        writeRaw(api + "[[upstream]]\naddr = \"" + servers.get(2).address() + "\"\npool = \"web\"\n" +
            "[[route]]\nsni = [\"api.test\"]\npool = \"api\"\n[[route]]\nsni = [\"web.test\"]\npool = \"web\"\n");
        final ReloadResult result = proxy.reload();
        assertTrue(result.applied(), result.toString());
        assertTrue(result.changes().containsAll(List.of("+pool web", "routes changed")), result.toString());
        helloThrough("web.test");
        helloThrough("api.test");
        assertEquals(1, servers.get(2).accepted(), "web.test now goes to the new pool web");
        assertEquals(2, servers.get(1).accepted());
        assertEquals(1, servers.get(0).accepted(), "the default pool got nothing new");
    }

    @Test
    @Timeout(120)
    void routesAddedToAProxyStartedWithoutThemArePeeked() throws Exception
    {
        final String pools = "[[upstream]]\naddr = \"" + servers.get(0).address() + "\"\n" +
            "[[upstream]]\naddr = \"" + servers.get(1).address() + "\"\npool = \"api\"\n";
        startRaw(pools);
        helloThrough("api.test");
        assertEquals(1, servers.get(0).accepted(), "no routes: the default pool");
        writeRaw(pools + "[[route]]\nsni = [\"api.test\"]\npool = \"api\"\n");
        assertTrue(proxy.reload().applied());
        helloThrough("api.test");
        assertEquals(1, servers.get(1).accepted(), "routed by name after the reload");
    }

    @Test
    @Timeout(120)
    void anInvalidUpstreamOnReloadChangesNothing() throws Exception
    {
        start(weights(0, 1, 1, 1), "");
        final Socket held = connect();
        roundTrip(held, "before".getBytes(StandardCharsets.US_ASCII));
        final List<UpstreamServer> before = proxy.upstreamPools().get(0).servers();
        writeRaw("[[upstream]]\naddr = \"" + servers.get(2).address() + "\"\nweight = 0\n");
        final ReloadResult weightless = proxy.reload();
        assertFalse(weightless.applied());
        assertTrue(weightless.error().contains("weight"), weightless.error());
        writeRaw("[[upstream]]\naddr = \"" + servers.get(2).address() + "\"\n[[route]]\nsni = [\"x.test\"]\n" +
            "pool = \"missing\"\n");
        assertFalse(proxy.reload().applied(), "a route to a pool without servers");
        assertTrue(console().contains("[RELOAD] rejected: "), console());
        assertEquals(before, proxy.upstreamPools().get(0).servers(), "the old pool is in force");
        roundTrip(held, "after".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 4; i++)
        {
            roundTrip(connect(), "new".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(0, servers.get(2).accepted(), "nothing reached the server of the rejected file");
        Await.until("2 rejections counted", () -> proxy.metrics().value(ReloadFamilies.RELOADS, "rejected") == 2,
            AWAIT);
    }

    @Test
    @Timeout(120)
    void aHostNameTargetCannotTurnIntoServersWithoutARestart() throws Exception
    {
        startRaw("target_addr = \"localhost:" + servers.get(0).port() + "\"\n");
        writeRaw("connect_timeout_ms = 1234\n[[upstream]]\naddr = \"" + servers.get(1).address() + "\"\n");
        final ReloadResult result = proxy.reload();
        assertTrue(result.applied(), result.toString());
        assertTrue(result.needsRestart().stream().anyMatch(change -> change.contains("target_addr host name")),
            result.toString());
        assertEquals("localhost", proxy.config().targetAddress().host(), "the host-name target stays");
        assertTrue(proxy.upstreamPools().isEmpty());
        assertEquals(1234, proxy.config().connectTimeoutMs(), "the other keys apply");
    }

    // ---- helpers

    private static Map<Integer, Integer> weights(final int... serverThenWeight)
    {
        final Map<Integer, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < serverThenWeight.length; i += 2)
        {
            weights.put(serverThenWeight[i], serverThenWeight[i + 1]);
        }
        return weights;
    }

    private void assertChangesDescribed(
        final Map<Integer, Integer> before, final Map<Integer, Integer> after, final ReloadResult result)
    {
        final long added = after.keySet().stream().filter(s -> !before.containsKey(s)).count();
        final long removed = before.keySet().stream().filter(s -> !after.containsKey(s)).count();
        final long reweighted = after.keySet().stream()
            .filter(s -> before.containsKey(s) && !before.get(s).equals(after.get(s))).count();
        final List<String> changes = result.changes();
        assertEquals(added > 0, changes.contains("+" + added + (added == 1 ? " server" : " servers")), changes + "");
        assertEquals(removed > 0, changes.contains("-" + removed + (removed == 1 ? " server" : " servers")),
            changes + "");
        assertEquals(reweighted > 0, changes.contains("weights changed for " + reweighted), changes + "");
        assertTrue(changes.stream().anyMatch(c -> c.startsWith("max_connections")), changes + "");
        assertTrue(changes.contains("allow list changed"), changes + "");
    }

    private Set<String> configured(final Map<Integer, Integer> step)
    {
        final Set<String> labels = new TreeSet<>();
        step.forEach((server, weight) -> labels.add(label(server) + " w" + weight));
        return labels;
    }

    private Set<String> inForce()
    {
        final Set<String> labels = new TreeSet<>();
        for (final UpstreamServer server : proxy.upstreamPools().get(0).servers())
        {
            labels.add(server.label() + " w" + server.weight());
        }
        return labels;
    }

    /** New connections (the load's fresh ones and a few of our own) reach only the servers of the step. */
    private void awaitNewConnectionsOnlyOn(
        final Map<Integer, Integer> step, final Map<Integer, Long> afterIds, final Load load)
        throws IOException
    {
        final List<Socket> own = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            own.add(connect());
        }
        final int[] seen = new int[1];
        Await.until("new connections on the new servers", () ->
        {
            seen[0] = 0;
            for (final ConnectionInfo info : admittedAfter(afterIds))
            {
                if (info.upstream() != null)
                {
                    final int server = serverIndexOf(info.upstream());
                    if (!step.containsKey(server))
                    {
                        throw new AssertionError("a connection admitted after the reload reached server " + server +
                            ", not in " + step.keySet() + ": " + info);
                    }
                    seen[0]++;
                }
            }
            return seen[0] >= own.size();
        }, AWAIT);
        for (final Socket socket : own)
        {
            roundTrip(socket, "ok".getBytes(StandardCharsets.US_ASCII));
            socket.close();
        }
        fixture.clients.forget(own);
    }

    /** @return each worker's highest connection id open now (ids grow per worker: worker index in the top bits). */
    private Map<Integer, Long> lastIds()
    {
        final Map<Integer, Long> last = new HashMap<>();
        for (final ConnectionInfo info : allConnections())
        {
            last.merge(info.worker(), info.id(), Math::max);
        }
        return last;
    }

    /** @return the connections open now that were admitted after {@code lastIds} was taken. */
    private List<ConnectionInfo> admittedAfter(final Map<Integer, Long> lastIds)
    {
        final List<ConnectionInfo> after = new ArrayList<>();
        for (final ConnectionInfo info : allConnections())
        {
            if (info.id() > lastIds.getOrDefault(info.worker(), ((long)info.worker() << 48) - 1))
            {
                after.add(info);
            }
        }
        return after;
    }

    private List<ConnectionInfo> allConnections()
    {
        final List<ConnectionInfo> all = new ArrayList<>();
        long after = -1;
        while (true)
        {
            final var page = proxy.connections(after, 1000);
            all.addAll(page.connections());
            if (page.nextAfter() < 0)
            {
                return all;
            }
            after = page.nextAfter();
        }
    }

    private int serverIndexOf(final String upstream)
    {
        final int port = Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1));
        for (int i = 0; i < servers.size(); i++)
        {
            if (servers.get(i).port() == port)
            {
                return i;
            }
        }
        throw new AssertionError("unknown upstream " + upstream);
    }

    private String label(final int server)
    {
        return servers.get(server).address();
    }

    private void helloThrough(final String serverName) throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk(serverName);
        try (Socket socket = connect())
        {
            roundTrip(socket, hello);
        }
    }

    private void start(final Map<Integer, Integer> weights, final String extra) throws IOException
    {
        proxy = fixture.start(toml(weights, extra));
    }

    private void startRaw(final String body) throws IOException
    {
        proxy = fixture.start(tomlRaw(body));
    }

    private void write(final Map<Integer, Integer> weights, final String extra) throws IOException
    {
        fixture.write(toml(weights, extra));
    }

    private void writeRaw(final String body) throws IOException
    {
        fixture.write(tomlRaw(body));
    }

    private String toml(final Map<Integer, Integer> weights, final String extra)
    {
        final StringBuilder body = new StringBuilder(extra);
        weights.forEach((server, weight) -> body.append("[[upstream]]\naddr = \"").append(label(server))
            .append("\"\nweight = ").append(weight).append('\n'));
        return tomlRaw(body.toString());
    }

    private static String tomlRaw(final String body)
    {
        return "listen_addr = \"127.0.0.1:0\"\nmetrics_addr = \"\"\nworkers = 2\n" + body;
    }

    private Socket connect() throws IOException
    {
        return fixture.connect();
    }

    private String console()
    {
        return fixture.console.text();
    }

    /**
     * ~100 connections doing checked round trips from a few threads; each connection is replaced by a fresh one
     * now and then, so new connections keep arriving across the reloads.
     */
    private static final class Load
    {
        private final InetSocketAddress proxyAddress;
        private final int connections;
        private final Thread[] threads;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong roundTrips = new AtomicLong();
        private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        private final List<List<Socket>> sockets = new ArrayList<>();

        Load(final InetSocketAddress proxyAddress, final int connections, final int threadCount)
        {
            this.proxyAddress = proxyAddress;
            this.connections = connections;
            this.threads = new Thread[threadCount];
        }

        void start() throws IOException
        {
            for (int t = 0; t < threads.length; t++)
            {
                final List<Socket> own = new ArrayList<>();
                for (int i = t; i < connections; i += threads.length)
                {
                    own.add(open());
                }
                sockets.add(own);
                final long seed = t;
                threads[t] = new Thread(() -> run(own, new Random(seed)), "load-" + t);
                threads[t].start();
            }
        }

        private Socket open() throws IOException
        {
            final Socket socket = new Socket();
            socket.connect(proxyAddress, SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            return socket;
        }

        private void run(final List<Socket> own, final Random random)
        {
            final byte[] bytes = new byte[256];
            int turn = 0;
            while (running.get())
            {
                final int index = turn++ % own.size();
                try
                {
                    if (random.nextInt(40) == 0)
                    {
                        own.get(index).close(); // replaced by a fresh connection, admitted by the table in force
                        own.set(index, open());
                    }
                    random.nextBytes(bytes);
                    roundTrip(own.get(index), bytes);
                    roundTrips.incrementAndGet();
                }
                catch (final IOException | AssertionError ex)
                {
                    errors.add(Thread.currentThread().getName() + ": " + ex);
                    return;
                }
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            for (final Thread thread : threads)
            {
                if (thread != null)
                {
                    thread.join(TimeUnit.SECONDS.toMillis(60));
                }
            }
        }

        List<String> errors()
        {
            return List.copyOf(errors);
        }

        boolean checkEveryOpenConnection() throws IOException
        {
            for (final List<Socket> own : sockets)
            {
                for (final Socket socket : own)
                {
                    roundTrip(socket, "last".getBytes(StandardCharsets.US_ASCII));
                    socket.close();
                }
            }
            return true;
        }
    }
}
