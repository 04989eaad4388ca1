package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import io.tcpproxy.engine.admission.ClientAccessGate;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;

import static io.tcpproxy.engine.WorkerHarness.localAddress;
import static io.tcpproxy.engine.WorkerHarness.upstreamListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
