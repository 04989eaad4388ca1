package io.tcpproxy.engine.admission;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.AcceptMode;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A proxy owns its listen address alone (also in reuse-port mode) and binds exactly the family it was given.
 */
class ListenerBindingTest
{
    private static final String LISTEN_STATE = "0A";

    @Test
    @Timeout(60)
    void shouldRefuseToStartInReusePortModeWhenAnotherProxyHoldsTheAddress() throws Exception
    {
        try (Proxy first = start(config("127.0.0.1:0", AcceptMode.REUSE_PORT)))
        {
            final String taken = "127.0.0.1:" + first.localAddress().getPort();
            final BindException refused =
                assertThrows(BindException.class, () -> start(config(taken, AcceptMode.REUSE_PORT)));
            assertTrue(refused.getMessage().contains("Address already in use"), refused.getMessage());
            // the same error as shared mode's
            final BindException shared =
                assertThrows(BindException.class, () -> start(config(taken, AcceptMode.SHARED)));
            assertEquals(shared.getMessage(), refused.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseToStartInReusePortModeWhenAPlainListenerHoldsTheAddress() throws Exception
    {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")))
        {
            final BindException refused = assertThrows(BindException.class,
                () -> start(config("127.0.0.1:" + other.getLocalPort(), AcceptMode.REUSE_PORT)));
            assertTrue(refused.getMessage().contains("Address already in use"), refused.getMessage());
        }
    }

    @Test
    @Timeout(60)
    void shouldBindAnIpv4AddressWithIpv4OnlySockets() throws Exception
    {
        for (final AcceptMode mode : List.of(AcceptMode.REUSE_PORT, AcceptMode.SHARED))
        {
            try (Proxy proxy = start(config("127.0.0.1:0", mode)))
            {
                final int port = proxy.localAddress().getPort();
                assertTrue(listening("/proc/net/tcp", port) > 0, mode + ": no IPv4 listener on " + port);
                assertEquals(0, listening("/proc/net/tcp6", port), mode + ": an IPv6 (dual-stack) socket on " + port);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldBindAnIpv6AddressWithIpv6Sockets() throws Exception
    {
        assumeTrue(ipv6LoopbackAvailable(), "::1 is not available on this machine: exact IPv6 binding not checked");
        try (Proxy proxy = start(config("[::1]:0", AcceptMode.REUSE_PORT)))
        {
            final int port = proxy.localAddress().getPort();
            assertTrue(proxy.localAddress().getAddress() instanceof Inet6Address, proxy.localAddress().toString());
            assertEquals(2, listening("/proc/net/tcp6", port), "one IPv6 listener per worker on " + port);
            assertEquals(0, listening("/proc/net/tcp", port), "an IPv4 listener on " + port);
        }
    }

    private static Config config(final String listen, final AcceptMode mode)
    {
        return Config.builder()
            .listenAddress(listen)
            .targetAddress("127.0.0.1:9")
            .metricsAddress("")
            .workers(2)
            .acceptMode(mode)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0)
            .build();
    }

    private static Proxy start(final Config config) throws IOException
    {
        return Proxy.start(config, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** @return listening sockets on the port in a /proc/net table (Linux). */
    private static long listening(final String table, final int port) throws IOException
    {
        final Path path = Path.of(table);
        assumeTrue(Files.isReadable(path), table + " is not readable: the socket family cannot be checked");
        final String portHex = ":" + String.format(Locale.ROOT, "%04X", port);
        return Files.readAllLines(path).stream()
            .skip(1)
            .map((line) -> line.trim().split("\\s+"))
            .filter((fields) -> fields[1].endsWith(portHex) && fields[3].equals(LISTEN_STATE))
            .count();
    }

    private static boolean ipv6LoopbackAvailable()
    {
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
