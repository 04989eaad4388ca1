package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.access.ClientKey;
import io.tcpproxy.access.ClientTable;
import io.tcpproxy.config.Config;
import io.tcpproxy.engine.admission.ClientAccessGate;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

import static io.tcpproxy.engine.WorkerHarness.localAddress;
import static io.tcpproxy.engine.WorkerHarness.upstreamListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access gate in a worker driven by hand (fake clock): refusals at accept cost no upstream connect, and every
 * way an admitted connection ends gives its per-client slot back exactly once.
 */
class AccessGateTest
{
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    @Test
    @Timeout(60)
    void shouldGiveThePerClientSlotBackOnEveryKindOfClose() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                Config.builder().maxConnectionsPerClient(10).idleTimeoutSecs(60), localAddress(upstreamListener)))
        {
            final ClientAccessGate gate = harness.context.access;

            // FIN both ways
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.OPEN);
                assertEquals(1, gate.openConnections(LOOPBACK));
                try (SocketChannel upstream = upstreamListener.accept())
                {
                    assertTrue(upstream.isConnected());
                    client.shutdownOutput();
                    harness.cycleUntil("the client's FIN relayed", () -> connection.up.sinkShut);
                    upstream.shutdownOutput();
                    awaitClosed(harness, connection, CloseReason.CLIENT_FIN);
                }
            }
            assertEquals(0, gate.openConnections(LOOPBACK), "after FIN");

            // client reset
            try (SocketChannel client = harness.connectClient();
                SocketChannel upstream = acceptUpstream(harness, upstreamListener))
            {
                final Connection connection = harness.worker.table().last();
                assertTrue(upstream.isConnected());
                assertEquals(1, gate.openConnections(LOOPBACK));
                reset(client);
                awaitClosed(harness, connection, CloseReason.CLIENT_RESET);
            }
            assertEquals(0, gate.openConnections(LOOPBACK), "after reset");

            // idle timeout
            try (SocketChannel client = harness.connectClient();
                SocketChannel upstream = acceptUpstream(harness, upstreamListener))
            {
                final Connection connection = harness.worker.table().last();
                assertTrue(client.isConnected() && upstream.isConnected());
                harness.advance(Duration.ofSeconds(61));
                awaitClosed(harness, connection, CloseReason.IDLE_TIMEOUT);
            }
            assertEquals(0, gate.openConnections(LOOPBACK), "after idle timeout");

            // shutdown, two at once
            try (SocketChannel first = harness.connectClient();
                SocketChannel upstreamOfFirst = acceptUpstream(harness, upstreamListener);
                SocketChannel second = harness.connectClient())
            {
                assertTrue(first.isConnected() && upstreamOfFirst.isConnected() && second.isConnected());
                harness.cycleUntil("both open", () -> harness.worker.table().size() == 2);
                assertEquals(2, gate.openConnections(LOOPBACK));
                final WorkerCommand.ChangePhase closeAll = new WorkerCommand.ChangePhase(Worker.CLOSE_ALL);
                assertTrue(harness.worker.commands().submit(closeAll));
                harness.cycleUntil("close-all applied", closeAll::isDone);
                assertEquals(0, harness.worker.table().size());
            }
            assertEquals(0, gate.openConnections(LOOPBACK), "after shutdown");
        }
    }

    @Test
    @Timeout(60)
    void shouldGiveThePerClientSlotBackWhenTheUpstreamConnectFails() throws Exception
    {
        final InetSocketAddress closedPort;
        try (ServerSocketChannel gone = upstreamListener())
        {
            closedPort = localAddress(gone);
        }
        try (WorkerHarness harness = new WorkerHarness(Config.builder().maxConnectionsPerClient(1), closedPort))
        {
            final ClientAccessGate gate = harness.context.access;
            for (int i = 0; i < 3; i++) // with a cap of 1, a leaked slot would refuse the next client
            {
                try (SocketChannel client = harness.connectClient())
                {
                    harness.cycleUntil("the connect to fail", () -> harness.worker.table().size() == 0 &&
                        harness.context.activeConnections.get() == 0);
                    assertEquals(0, gate.openConnections(LOOPBACK), "after connect failure " + i);
                    harness.awaitClientClosed(client); // NIO completes the close at the worker's next select
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseADeniedClientAtAcceptWithoutConnectingUpstream() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder().deny(List.of("127.0.0.0/8")),
                localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            upstreamListener.configureBlocking(false);
            harness.awaitClientClosed(client);
            assertEquals(0, harness.worker.table().size());
            assertEquals(0, harness.context.activeConnections.get());
            harness.cycles(5);
            assertNull(upstreamListener.accept(), "a denied client must cost no upstream connect");
        }
    }

    @Test
    @Timeout(60)
    void shouldCapConnectionsPerClientAndAdmitAgainOnceOneCloses() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder().maxConnectionsPerClient(2),
                localAddress(upstreamListener));
            SocketChannel first = harness.connectClient();
            SocketChannel upstreamOfFirst = acceptUpstream(harness, upstreamListener);
            SocketChannel second = harness.connectClient();
            SocketChannel upstreamOfSecond = acceptUpstream(harness, upstreamListener))
        {
            assertTrue(upstreamOfFirst.isConnected() && second.isConnected() && upstreamOfSecond.isConnected());
            try (SocketChannel third = harness.connectClient())
            {
                harness.awaitClientClosed(third);
            }
            assertEquals(2, harness.worker.table().size());
            reset(first);
            harness.cycleUntil("the first to close", () -> harness.worker.table().size() == 1);
            try (SocketChannel again = harness.connectClient())
            {
                assertTrue(again.isConnected());
                harness.cycleUntil("a slot to be given again", () -> harness.worker.table().size() == 2);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRefuseConnectsBeyondTheBurstUntilTheClockRefillsTheBucket() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder().clientConnectRate(1).clientConnectBurst(2),
                localAddress(upstreamListener)))
        {
            final SocketChannel[] admitted = new SocketChannel[3];
            try
            {
                admitted[0] = harness.connectClient();
                admitted[1] = harness.connectClient();
                harness.cycleUntil("the burst admitted", () -> harness.worker.table().size() == 2);
                try (SocketChannel third = harness.connectClient())
                {
                    harness.awaitClientClosed(third); // the fake clock stands still: no token came back
                }
                harness.advance(Duration.ofMillis(1_001));
                admitted[2] = harness.connectClient();
                harness.cycleUntil("one more token a second later", () -> harness.worker.table().size() == 3);
            }
            finally
            {
                for (final SocketChannel channel : admitted)
                {
                    if (channel != null)
                    {
                        channel.close();
                    }
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldNotJudgeAtAcceptWhenClientsMustSendAProxyHeaderButStillApplyMaxConnections() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder().deny(List.of("127.0.0.0/8"))
                .acceptProxyProtocol(true).proxyProtocolTrusted(List.of("127.0.0.1")).maxConnections(1),
                localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            // the socket peer is the proxy in front, denied or not: the real client is only known from the header
            assertTrue(client.isConnected());
            harness.awaitConnection(Connection.PREAMBLE); // admitted, waiting for the header that names the client
            try (SocketChannel beyondMax = harness.connectClient())
            {
                harness.awaitClientClosed(beyondMax);
            }
            assertEquals(1, harness.worker.table().size());
        }
    }

    @Test
    void shouldKeepPerClientStateBoundedUnderAHundredThousandDistinctClients()
    {
        final Config config = Config.builder().maxConnections(1_000).maxConnectionsPerClient(4)
            .clientConnectRate(100).build();
        final ClientAccessGate gate = ClientAccessGate.of(config);
        final ClientTable clients = gate.clients();
        assertNotNull(clients);
        assertEquals(ClientAccessGate.MIN_CLIENT_CAPACITY, clients.capacity());

        final Connection held = connectionFrom(new byte[]{10, 0, 0, 1});
        assertNull(gate.admit(held, 0), "a client that keeps a connection open");
        final byte[] v4 = new byte[4];
        final byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        for (int i = 0; i < 100_000; i++)
        {
            final byte[] address = (i & 1) == 0 ? v4 : v6;
            if (address == v4)
            {
                v4[0] = (byte)(11 + (i >>> 24));
                v4[1] = (byte)(i >>> 16);
                v4[2] = (byte)(i >>> 8);
                v4[3] = (byte)i;
            }
            else
            {
                v6[4] = (byte)(i >>> 16); // a distinct /64 each time
                v6[5] = (byte)(i >>> 8);
                v6[6] = (byte)i;
            }
            final Connection connection = connectionFrom(address.clone());
            assertNull(gate.admit(connection, i * 1_000L), "client " + i);
            gate.release(connection);
            gate.release(connection); // a second release is a no-op, never a negative count
            assertTrue(clients.size() <= clients.capacity());
        }
        assertEquals(clients.capacity(), clients.size(), "full, never beyond");
        assertEquals(1, gate.openConnections(new byte[]{10, 0, 0, 1}), "a client with an open connection is kept");
        gate.release(held);
        assertEquals(0, gate.openConnections(new byte[]{10, 0, 0, 1}));
    }

    @Test
    void shouldBeOpenWhenNothingIsLimitedAndJudgeAnIpv6ClientPerPrefix()
    {
        final ClientAccessGate open = ClientAccessGate.of(Config.builder().build());
        assertFalse(open.limitsAnyone());
        assertNull(open.admit(connectionFrom(LOOPBACK), 0));

        final ClientAccessGate gate = ClientAccessGate.of(Config.builder().deny(List.of("2001:db8:bad::/48"))
            .allow(List.of("2001:db8::/32", "127.0.0.1")).maxConnectionsPerClient(1).build());
        final Connection first = connectionFrom(ipv6("2001:db8:1:2::1"));
        assertNull(gate.admit(first, 0));
        assertEquals(CloseReason.CLIENT_LIMIT, gate.admit(connectionFrom(ipv6("2001:db8:1:2::ffff")), 0),
            "the same /64 is the same client");
        assertNull(gate.admit(connectionFrom(ipv6("2001:db8:1:3::1")), 0), "another /64 is another client");
        assertEquals(CloseReason.DENIED, gate.admit(connectionFrom(ipv6("2001:db8:bad:1::1")), 0), "deny first");
        assertEquals(CloseReason.DENIED, gate.admit(connectionFrom(ipv6("2001:db9::1")), 0), "not allowed");
        assertEquals(CloseReason.DENIED, gate.admit(connectionFrom(new byte[]{127, 0, 0, 2}), 0));
        assertNull(gate.admit(connectionFrom(ipv6("::ffff:127.0.0.1")), 0), "IPv4-mapped matches the IPv4 rule");
        gate.release(first);
        assertNull(gate.admit(connectionFrom(ipv6("2001:db8:1:2::ffff")), 0), "the slot came back");
    }

    @Test
    void shouldApplyReconfiguredRulesToNewClientsAndReleaseOldSlotsWhereTheyWereCounted()
    {
        final Config.Builder builder = Config.builder().maxConnectionsPerClient(1);
        final ClientAccessGate gate = ClientAccessGate.of(builder.build());
        final Connection first = connectionFrom(new byte[]{10, 0, 0, 1});
        assertNull(gate.admit(first, 0));
        final ClientTable before = gate.clients();

        gate.reconfigure(builder.deny(List.of("10.0.0.2")).build());
        assertSame(before, gate.clients(), "unchanged limits keep the table and its counts");
        assertEquals(CloseReason.CLIENT_LIMIT, gate.admit(connectionFrom(new byte[]{10, 0, 0, 1}), 0));
        assertEquals(CloseReason.DENIED, gate.admit(connectionFrom(new byte[]{10, 0, 0, 2}), 0), "deny added live");

        gate.reconfigure(builder.maxConnectionsPerClient(2).build());
        assertNotSame(before, gate.clients(), "a new cap, a new table");
        final Connection second = connectionFrom(new byte[]{10, 0, 0, 1});
        assertNull(gate.admit(second, 0));
        gate.release(first); // counted in the old table: released there
        assertEquals(0, before.openConnections(ClientKey.high(new byte[]{10, 0, 0, 1}, 4, 64),
            ClientKey.low(new byte[]{10, 0, 0, 1}, 4, 64)));
        assertEquals(1, gate.openConnections(new byte[]{10, 0, 0, 1}));
        gate.release(second);
        assertEquals(0, gate.openConnections(new byte[]{10, 0, 0, 1}));

        gate.reconfigure(Config.builder().build());
        assertFalse(gate.limitsAnyone());
        assertNull(gate.admit(connectionFrom(new byte[]{10, 0, 0, 2}), 0));
    }

    private static Connection connectionFrom(final byte[] address)
    {
        return new Connection(0, null, null, address, 1234, 0);
    }

    private static byte[] ipv6(final String literal)
    {
        try
        {
            final byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length == 16)
            {
                return bytes;
            }
            final byte[] mapped = new byte[16]; // the JDK turns ::ffff:a.b.c.d into IPv4: map it back
            mapped[10] = (byte)0xFF;
            mapped[11] = (byte)0xFF;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void awaitClosed(final WorkerHarness harness, final Connection connection, final CloseReason reason)
    {
        harness.cycleUntil("the close (" + reason.label() + ")", () -> connection.state == Connection.CLOSED);
        assertEquals(reason, connection.closeReason);
    }

    private static SocketChannel acceptUpstream(final WorkerHarness harness, final ServerSocketChannel listener)
        throws IOException
    {
        listener.configureBlocking(false);
        final SocketChannel[] accepted = new SocketChannel[1];
        harness.cycleUntil("the upstream connect", () ->
        {
            try
            {
                accepted[0] = listener.accept();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            return accepted[0] != null;
        });
        final SocketChannel upstream = accepted[0];
        final ConnectionTable table = harness.worker.table();
        harness.cycleUntil("the connection open", () -> table.size() > 0 && table.last().state == Connection.OPEN);
        return upstream;
    }

    private static void reset(final SocketChannel channel) throws IOException
    {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        channel.close();
    }
}
