package io.tcpproxy.reload;

import io.tcpproxy.Proxy;
import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.Families;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.ReloadFamilies;
import io.tcpproxy.metrics.Sample;
import io.tcpproxy.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static io.tcpproxy.testsupport.ClientSockets.readOrEof;
import static io.tcpproxy.testsupport.ClientSockets.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot reload of a running proxy started from a TOML file (issue 16): applied and rejected reloads, the keys that need
 * a restart, the metrics, connections that outlive many reloads byte for byte, and the connection pages.
 */
class ReloadTest
{
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    @RegisterExtension
    final ProxyFromFile fixture = new ProxyFromFile();
    private Proxy proxy;

    @Test
    void shouldApplyAChangedDenyListToNewConnectionsOnly() throws Exception
    {
        start("deny = []\n");
        final Socket before = connect();
        roundTrip(before, "before".getBytes(StandardCharsets.US_ASCII));

        write("deny = [\"127.0.0.1/32\"]\n");
        final ReloadResult result = proxy.reload();
        assertTrue(result.applied(), result.toString());
        assertTrue(result.changes().stream().anyMatch(change -> change.startsWith("deny")), result.toString());

        roundTrip(before, "still served".getBytes(StandardCharsets.US_ASCII));
        try
        {
            final Socket denied = connect();
            denied.getOutputStream().write(1);
            assertEquals(-1, readOrEof(denied), "a new client from a denied address is closed");
        }
        catch (final java.net.SocketException reset)
        {
            // refused at accept with a reset: just as good as an EOF here
        }
        awaitMetrics("the denied client counted",
            s -> s.rejectedConnections(io.tcpproxy.metrics.RejectReason.DENIED) == 1);
    }

    @Test
    void shouldApplyLiveKeysAndReportKeysThatNeedARestart() throws Exception
    {
        start("max_connections = 100\n");
        final Socket before = connect();
        roundTrip(before, "before".getBytes(StandardCharsets.US_ASCII));
        final String hashBefore = proxy.configHash();

        write("max_connections = 1\nworkers = 4\nconnect_attempts = 2\n");
        final ReloadResult result = proxy.reload();

        assertTrue(result.applied(), result.toString());
        assertNull(result.error());
        assertEquals(List.of("max_connections (100 → 1)", "connect_attempts (3 → 2)"), result.changes());
        assertEquals(List.of("workers (2 → 4)"), result.needsRestart());
        assertFalse(hashBefore.equals(result.hash()), "the file changed, so must its hash");
        assertEquals(result.hash(), proxy.configHash());
        assertEquals(1, proxy.config().maxConnections());
        assertEquals(2, proxy.config().workers(), "workers needs a restart and keeps its value");
        assertTrue(console().contains("[RELOAD] applied: max_connections (100 → 1), connect_attempts (3 → 2) " +
            "(config " + result.hash() + ")"), console());
        assertTrue(console().contains("[RELOAD] needs a restart: workers (2 → 4)\n") ||
            console().contains("[RELOAD] needs a restart: workers (2 → 4)" + System.lineSeparator()), console());
        assertEquals(2, proxy.upstreamPools().get(0).spec().connectAttempts(), "connect_attempts is in force");

        // the open connection keeps running; a second one is over the new max_connections and is closed at once
        roundTrip(before, "after".getBytes(StandardCharsets.US_ASCII));
        final Socket over = connect();
        over.getOutputStream().write(1);
        assertEquals(-1, readOrEof(over), "a connection over the reloaded max_connections is closed");

        final MetricsSnapshot snapshot = awaitMetrics("one applied reload",
            s -> s.value(ReloadFamilies.RELOADS, "applied") == 1);
        assertEquals(0, snapshot.value(ReloadFamilies.RELOADS, "rejected"));
        final List<Sample> info = awaitMetrics("the new hash only",
            s -> s.family(ReloadFamilies.INFO).samples().size() == 1 &&
                s.value(ReloadFamilies.INFO, result.hash()) == 1).family(ReloadFamilies.INFO).samples();
        assertEquals(List.of(result.hash()), info.get(0).labelValues());
        final double reloadedAtSecs = snapshot.family(ReloadFamilies.LAST_RELOAD).samples().get(0).doubleValue();
        assertTrue(Math.abs(reloadedAtSecs - System.currentTimeMillis() / 1000.0) < 600, "timestamp " + reloadedAtSecs);
    }

    @Test
    void shouldRejectAnInvalidFileAndKeepServingWithTheOldSettings() throws Exception
    {
        start("max_connections = 100\n");
        final String hashBefore = proxy.configHash();
        write("max_connections = 1\nbalance = \"bogus\"\n");
        final int badLine = lineOf("balance");

        final ReloadResult result = proxy.reload();

        assertFalse(result.applied());
        assertTrue(result.error().startsWith(fixture.file() + ":" + badLine + ": balance: expected one of"),
            result.error());
        assertEquals(hashBefore, result.hash());
        assertEquals(100, proxy.config().maxConnections(), "nothing changed");
        assertTrue(console().contains("[RELOAD] rejected: " + result.error()), console());
        assertFalse(console().contains("[RELOAD] applied"), console());
        // still serving, and max_connections = 1 was not applied: two connections work side by side
        final Socket first = connect();
        final Socket second = connect();
        roundTrip(first, new byte[]{1, 2, 3});
        roundTrip(second, new byte[]{4, 5, 6});
        awaitMetrics("one rejected reload", s -> s.value(ReloadFamilies.RELOADS, "rejected") == 1 &&
            s.value(ReloadFamilies.RELOADS, "applied") == 0);
        assertFalse(proxy.isShuttingDown());

        Files.delete(fixture.file());
        final ReloadResult missing = proxy.reload();
        assertFalse(missing.applied());
        assertTrue(missing.error().contains("file not found"), missing.error());
        awaitMetrics("two rejected reloads", s -> s.value(ReloadFamilies.RELOADS, "rejected") == 2);
    }

    @Test
    void shouldKeepALongLivedConnectionByteExactThroughTwentyReloads() throws Exception
    {
        start("idle_timeout_secs = 300\nconnect_timeout_ms = 5000\n");
        final Socket longLived = connect();
        final Random random = new Random(16);
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++)
        {
            final byte[] chunk = new byte[1 + random.nextInt(64 * 1024)];
            random.nextBytes(chunk);
            sent.write(chunk);
            received.write(roundTrip(longLived, chunk));
            // the last reload leaves idle_timeout_secs = 1: only connections admitted after it get it
            write("idle_timeout_secs = " + (i == 19 ? 1 : 100 + i) + "\nmax_connections = " + (1000 + i) + "\n" +
                "connect_timeout_ms = " + (2000 + i) + "\n");
            final ReloadResult result = proxy.reload();
            assertTrue(result.applied(), result.toString());
            assertEquals(3, result.changes().size(), result.toString());
        }
        assertEquals(1, proxy.config().idleTimeoutSecs());

        // a new connection runs with the new table: idle for 1 s, it is closed
        final Socket fresh = connect();
        roundTrip(fresh, new byte[]{7});
        assertEquals(-1, readOrEof(fresh), "the new idle_timeout_secs = 1 closes a new idle connection");

        // the long-lived one kept the table it started with (300 s): idle as long, it is still relaying
        final byte[] last = new byte[100_000];
        random.nextBytes(last);
        sent.write(last);
        received.write(roundTrip(longLived, last));
        assertArrayEquals(sent.toByteArray(), received.toByteArray());
        awaitMetrics("20 applied reloads", s -> s.value(ReloadFamilies.RELOADS, "applied") == 20);
        assertEquals(1, proxy.activeConnections());
    }

    @Test
    void shouldServeConnectionsUnderLoadThroughTwentyReloadsWithoutAnError() throws Exception
    {
        start("max_connections = 1000\n");
        final int connections = 20;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong roundTrips = new AtomicLong();
        final List<Thread> loaders = new ArrayList<>();
        final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int c = 0; c < connections; c++)
        {
            final Socket socket = connect();
            final Random random = new Random(c);
            final Thread loader = new Thread(() ->
            {
                try
                {
                    while (!stop.get())
                    {
                        final byte[] chunk = new byte[1 + random.nextInt(8192)];
                        random.nextBytes(chunk);
                        roundTrip(socket, chunk); // asserts the echo byte for byte
                        roundTrips.incrementAndGet();
                    }
                }
                catch (final Throwable ex)
                {
                    errors.add(ex);
                }
            }, "test-load-" + c);
            loaders.add(loader);
            loader.start();
        }
        awaitTrue("load running", () -> roundTrips.get() >= connections);
        for (int i = 0; i < 20; i++)
        {
            final long before = roundTrips.get();
            write("max_connections = " + (500 + 10 * i) + "\nidle_timeout_secs = " + (60 + i) + "\n");
            assertTrue(proxy.reload().applied());
            assertEquals(500 + 10 * i, proxy.config().maxConnections());
            awaitTrue("round trips after reload " + i, () -> roundTrips.get() > before + connections);
        }
        stop.set(true);
        for (final Thread loader : loaders)
        {
            loader.join(SOCKET_TIMEOUT_MS);
        }
        assertTrue(errors.isEmpty(), "load errors: " + errors);
        assertEquals(connections, proxy.activeConnections(), "no connection dropped");
        awaitMetrics("nothing closed", s -> s.value(ReloadFamilies.RELOADS, "applied") == 20);
        assertEquals(0, proxy.metrics().value(Families.CONNECTIONS_REJECTED));
    }

    @Test
    void shouldRejectAReloadWhenTheProxyWasStartedFromSettingsBuiltInCode() throws Exception
    {
        proxy = fixture.start(Config.builder().listenAddress("127.0.0.1:0")
            .targetAddress(fixture.echo().address()).metricsAddress("").workers(1).build());
        final ReloadResult result = proxy.reload();
        assertFalse(result.applied());
        assertTrue(result.error().startsWith("no configuration file"), result.error());

        final ReloadResult fromCode = proxy.reload(proxy.config().toBuilder().idleTimeoutSecs(42).build());
        assertTrue(fromCode.applied(), fromCode.toString());
        assertEquals(List.of("idle_timeout_secs (0 → 42)"), fromCode.changes());

        proxy.configSource(() -> proxy.config().toBuilder().connectTimeoutMs(1234).build());
        final ReloadResult fromLoader = proxy.reload();
        assertTrue(fromLoader.applied(), fromLoader.toString());
        assertEquals(1234, proxy.config().connectTimeoutMs());
    }

    @Test
    void shouldPageTheOpenConnectionsInIdOrder() throws Exception
    {
        start("");
        final int count = 250;
        final Set<String> clientAddresses = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final Socket client = connect();
            roundTrip(client, new byte[]{(byte)i});
            clientAddresses.add("127.0.0.1:" + client.getLocalPort());
        }
        final List<ConnectionInfo> all = new ArrayList<>();
        long after = -1;
        int pages = 0;
        do
        {
            final ConnectionPage page = proxy.connections(after, 40);
            assertTrue(page.complete());
            assertTrue(page.connections().size() <= 40);
            all.addAll(page.connections());
            after = page.nextAfter();
            pages++;
        }
        while (after >= 0 && pages < 100);
        assertEquals(count, all.size());
        assertEquals(7, pages);
        final Set<String> listedClients = new HashSet<>();
        long previousId = -1;
        for (final ConnectionInfo connection : all)
        {
            assertTrue(connection.id() > previousId, "ids ascend");
            previousId = connection.id();
            listedClients.add(connection.client());
            assertEquals("127.0.0.1:" + fixture.echo().port(), connection.upstream());
            assertEquals("relaying", connection.state());
            assertEquals(1, connection.bytesUpstream());
            assertEquals(1, connection.bytesDownstream());
            assertTrue(connection.worker() == 0 || connection.worker() == 1);
        }
        assertEquals(clientAddresses, listedClients);
        assertEquals(0, proxy.connections(previousId, 10).connections().size(), "nothing after the last id");
    }

    private void start(final String extra) throws IOException
    {
        proxy = fixture.start(toml(extra));
    }

    private void write(final String extra) throws IOException
    {
        fixture.write(toml(extra));
    }

    private String toml(final String extra) throws IOException
    {
        return "# test proxy\n" +
            "listen_addr = \"127.0.0.1:0\"\n" +
            "target_addr = \"" + fixture.echo().address() + "\"\n" +
            "metrics_addr = \"\"\n" +
            (extra.contains("workers") ? "" : "workers = 2\n") +
            extra;
    }

    private int lineOf(final String key) throws IOException
    {
        final List<String> lines = Files.readAllLines(fixture.file());
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith(key))
            {
                return i + 1;
            }
        }
        throw new AssertionError(key + " not in the file");
    }

    private Socket connect() throws IOException
    {
        return fixture.connect();
    }

    private String console()
    {
        return fixture.console.text();
    }

    private MetricsSnapshot awaitMetrics(final String what, final Predicate<MetricsSnapshot> condition)
    {
        final MetricsSnapshot[] last = new MetricsSnapshot[1];
        awaitTrue(what, () -> condition.test(last[0] = proxy.metrics()));
        return last[0];
    }

    private static void awaitTrue(final String what, final BooleanSupplier condition)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS));
    }

}
