package io.tcpproxy.reload;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.ReloadFamilies;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.ClientSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static io.tcpproxy.testsupport.FreePorts.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A reload that changes {@code listen_addr} (issue 16): the new address serves before the old one stops, connections
 * open on the old one keep relaying, the old listeners are closed; an address that cannot be bound rejects the reload
 * and changes nothing. In every accept mode, on real loopback sockets.
 */
class ListenAddressReloadTest
{
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final int SOCKET_TIMEOUT_MS = 30_000;
    private static final String LISTEN_STATE = "0A";
    private static final int WORKERS = 2;

    @RegisterExtension
    final ProxyFromFile fixture = new ProxyFromFile();
    private Proxy proxy;

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    @Timeout(120)
    void shouldServeTheNewAddressBeforeTheOldStopsAndKeepConnectionsOpenOnTheOld(final AcceptMode mode)
        throws Exception
    {
        start(mode, "127.0.0.1:0");
        final InetSocketAddress oldAddress = proxy.localAddress();
        final Socket before = connect(oldAddress);
        roundTrip(before, "before the reload");
        final int newPort = freePort();
        final InetSocketAddress newAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), newPort);
        write(mode, "127.0.0.1:" + newPort);

        // while the reload runs: whenever the old address refuses, the new one must accept and relay at once
        final AtomicBoolean reloading = new AtomicBoolean(true);
        final AtomicInteger refusedByOld = new AtomicInteger();
        final AtomicReference<Throwable> gap = new AtomicReference<>();
        final Thread prober = new Thread(() -> probe(oldAddress, newAddress, reloading, refusedByOld, gap), "prober");
        prober.start();
        final ReloadResult result;
        try
        {
            result = proxy.reload();
        }
        finally
        {
            reloading.set(false);
            prober.join(SOCKET_TIMEOUT_MS * 2L);
        }
        assertNull(gap.get(), () -> "neither address served: " + gap.get());

        assertTrue(result.applied(), result.toString());
        final String change = "listen_addr 127.0.0.1:" + oldAddress.getPort() + " → 127.0.0.1:" + newPort;
        assertEquals(List.of(change), result.changes());
        assertTrue(console().contains("[RELOAD] applied: " + change + " (config " + result.hash() + ")"),
            console());
        assertEquals(newAddress, proxy.localAddress());
        assertEquals("127.0.0.1:" + newPort, proxy.config().listenAddress().toString());

        roundTrip(connect(newAddress), "on the new address");
        assertThrows(ConnectException.class, () -> connect(oldAddress), "the old address still accepts");
        roundTrip(before, "opened before the reload, still relayed after it");
        assertEquals(0, listening(oldAddress.getPort()), "a listener on the old port is still open");
        assertEquals(mode == AcceptMode.REUSE_PORT ? WORKERS : 1, listening(newPort),
            "listeners on the new port");
        awaitMetrics("one applied reload", s -> s.value(ReloadFamilies.RELOADS, "applied") == 1 &&
            s.value(ReloadFamilies.RELOADS, "rejected") == 0);
        assertEquals(0, proxy.internalErrors());
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    @Timeout(120)
    void shouldRejectTheReloadAndKeepServingWhenTheNewAddressIsInUse(final AcceptMode mode) throws Exception
    {
        start(mode, "127.0.0.1:0");
        final InetSocketAddress oldAddress = proxy.localAddress();
        final Socket before = connect(oldAddress);
        roundTrip(before, "before the reload");
        final String hashBefore = proxy.configHash();
        final int maxConnectionsBefore = proxy.config().maxConnections();

        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final String taken = "127.0.0.1:" + other.getLocalPort();
            write(mode, taken, "max_connections = 7\n");
            final ReloadResult result = proxy.reload();

            assertFalse(result.applied(), result.toString());
            assertTrue(result.error().startsWith("listen_addr: "), result.error());
            assertTrue(result.error().contains(taken) && result.error().contains("Address already in use"),
                result.error());
            assertTrue(console().contains("[RELOAD] rejected: " + result.error()), console());
            assertEquals(1, listening(other.getLocalPort()), "only the test's own listener on the taken port");
        }
        assertEquals(oldAddress, proxy.localAddress());
        assertEquals("127.0.0.1:0", proxy.config().listenAddress().toString());
        assertEquals(hashBefore, proxy.configHash());
        assertEquals(maxConnectionsBefore, proxy.config().maxConnections(),
            "nothing of a rejected file applies");
        roundTrip(connect(oldAddress), "a new connection on the old address");
        roundTrip(before, "still relayed");
        assertEquals(mode == AcceptMode.REUSE_PORT ? WORKERS : 1, listening(oldAddress.getPort()));
        awaitMetrics("one rejected reload", s -> s.value(ReloadFamilies.RELOADS, "rejected") == 1 &&
            s.value(ReloadFamilies.RELOADS, "applied") == 0);
    }

    @Test
    @Timeout(120)
    void shouldRejectAnAddressThatIsNotLocal() throws Exception
    {
        start(AcceptMode.REUSE_PORT, "127.0.0.1:0");
        final InetSocketAddress oldAddress = proxy.localAddress();
        write(AcceptMode.REUSE_PORT, "192.0.2.1:0"); // TEST-NET-1: never an address of this machine

        final ReloadResult result = proxy.reload();

        assertFalse(result.applied(), result.toString());
        assertTrue(result.error().startsWith("listen_addr: cannot listen on 192.0.2.1:0: "), result.error());
        assertEquals(oldAddress, proxy.localAddress());
        roundTrip(connect(oldAddress), "still serving");
    }

    @Test
    @Timeout(120)
    void shouldMoveNoListenerWhenTheNewAddressIsTheOneBound() throws Exception
    {
        start(AcceptMode.REUSE_PORT, "127.0.0.1:0");
        final InetSocketAddress bound = proxy.localAddress();
        final Socket before = connect(bound);
        write(AcceptMode.REUSE_PORT, "127.0.0.1:" + bound.getPort());

        final ReloadResult result = proxy.reload();

        assertTrue(result.applied(), result.toString());
        assertEquals(List.of(), result.changes(), "the same socket address: nothing to move");
        assertEquals(bound, proxy.localAddress());
        assertEquals("127.0.0.1:" + bound.getPort(), proxy.config().listenAddress().toString());
        roundTrip(before, "still relayed");
        roundTrip(connect(bound), "a new connection");
        assertEquals(WORKERS, listening(bound.getPort()));
    }

    @Test
    @Timeout(120)
    void shouldMoveTheListenersAgainAndStopCleanly() throws Exception
    {
        start(AcceptMode.SHARED, "127.0.0.1:0");
        final Socket first = connect(proxy.localAddress());
        final List<Integer> ports = new ArrayList<>();
        ports.add(proxy.localAddress().getPort());
        for (int i = 0; i < 3; i++)
        {
            final int port = freePort();
            write(AcceptMode.SHARED, "127.0.0.1:" + port);
            assertTrue(proxy.reload().applied(), console());
            ports.add(port);
            roundTrip(connect(proxy.localAddress()), "after move " + i);
            roundTrip(first, "the first connection, after move " + i);
        }
        proxy.close();
        for (final int port : ports)
        {
            assertEquals(0, listening(port), "a listener left open on " + port);
        }
    }

    private void probe(
        final InetSocketAddress oldAddress,
        final InetSocketAddress newAddress,
        final AtomicBoolean reloading,
        final AtomicInteger refusedByOld,
        final AtomicReference<Throwable> gap)
    {
        // run until the reload is over and the old address has refused at least once (or a generous deadline)
        final long deadlineNs = System.nanoTime() + AWAIT.toNanos();
        while ((reloading.get() || refusedByOld.get() == 0) && System.nanoTime() - deadlineNs < 0)
        {
            try (Socket old = new Socket())
            {
                old.connect(oldAddress, SOCKET_TIMEOUT_MS);
                continue; // still served (or at least still in its backlog): nothing to check yet
            }
            catch (final IOException refused)
            {
                refusedByOld.incrementAndGet();
            }
            try (Socket fresh = new Socket())
            {
                fresh.connect(newAddress, SOCKET_TIMEOUT_MS);
                fresh.setSoTimeout(SOCKET_TIMEOUT_MS);
                roundTrip(fresh, "probe");
            }
            catch (final IOException | AssertionError ex)
            {
                gap.compareAndSet(null, ex);
                return;
            }
        }
    }

    private void start(final AcceptMode mode, final String listen) throws IOException
    {
        proxy = fixture.start(toml(mode, listen, ""));
    }

    private void write(final AcceptMode mode, final String listen) throws IOException
    {
        write(mode, listen, "");
    }

    private void write(final AcceptMode mode, final String listen, final String extra) throws IOException
    {
        fixture.write(toml(mode, listen, extra));
    }

    private String toml(final AcceptMode mode, final String listen, final String extra) throws IOException
    {
        return "listen_addr = \"" + listen + "\"\n" +
            "target_addr = \"" + fixture.echo().address() + "\"\n" +
            "metrics_addr = \"\"\n" +
            "workers = " + WORKERS + "\n" +
            "accept_mode = \"" + mode.name().toLowerCase(Locale.ROOT) + "\"\n" +
            extra;
    }

    private Socket connect(final InetSocketAddress address) throws IOException
    {
        return fixture.clients.connect(address);
    }

    private static void roundTrip(final Socket socket, final String text) throws IOException
    {
        ClientSockets.roundTrip(socket, text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * @return listening sockets on the port, IPv4 and IPv6 (a JDK ServerSocket may be a dual-stack one), from
     *     /proc/net (Linux): a listener is gone from it once its descriptor is closed.
     */
    private static long listening(final int port) throws IOException
    {
        final String portHex = ":" + String.format(Locale.ROOT, "%04X", port);
        long count = 0;
        for (final String table : List.of("/proc/net/tcp", "/proc/net/tcp6"))
        {
            final Path path = Path.of(table);
            assumeTrue(Files.isReadable(path) || table.endsWith("6"), path + " is not readable: listeners not counted");
            if (Files.isReadable(path))
            {
                count += Files.readAllLines(path).stream()
                    .skip(1)
                    .map((line) -> line.trim().split("\\s+"))
                    .filter((fields) -> fields[1].endsWith(portHex) && fields[3].equals(LISTEN_STATE))
                    .count();
            }
        }
        return count;
    }

    private String console()
    {
        return fixture.console.text();
    }

    private void awaitMetrics(final String what, final Predicate<MetricsSnapshot> condition)
    {
        Await.until(what, () -> condition.test(proxy.metrics()), AWAIT);
    }
}
