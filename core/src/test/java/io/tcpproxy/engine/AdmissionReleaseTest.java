package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.engine.admission.AccessGate;
import io.tcpproxy.engine.relay.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.tcpproxy.engine.WorkerHarness.localAddress;
import static io.tcpproxy.engine.WorkerHarness.upstreamListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything admission holds for a connection (its place under {@code max_connections}, its two reserved
 * descriptors, its per-client slot at accept or at the gate after a PROXY header) is given back by the one release at
 * close, on every path: counts go up while the connection is admitted and back to zero once it closed.
 */
class AdmissionReleaseTest
{
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    @Test
    @Timeout(60)
    void shouldReleaseTheSlotAndTheCountAfterANormalClose() throws Exception
    {
        runClient(Config.builder().maxConnectionsPerClient(10), true, (harness, upstreamListener, client, gate) ->
        {
            final Connection connection = harness.awaitConnection(Connection.OPEN);
            assertHeld(harness, 1, 1, 0, gate);
            try (SocketChannel upstream = upstreamListener.accept())
            {
                client.shutdownOutput();
                upstream.shutdownOutput();
                harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
                assertTrue(connection.closeReason == CloseReason.CLIENT_FIN ||
                    connection.closeReason == CloseReason.UPSTREAM_FIN, "closed by FINs both ways");
            }
        });
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheSlotAndTheCountAfterAConnectFailure() throws Exception
    {
        runClient(Config.builder().maxConnectionsPerClient(10), false,
            (harness, upstreamListener, client, gate) -> harness.awaitClientClosed(client));
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheGateTheDescriptorsAndTheCountAfterAnAdmittedHeaderCloses() throws Exception
    {
        runClient(acceptingProxyHeaders(), true, (harness, upstreamListener, client, gate) ->
        {
            final Connection connection = awaitPreamble(harness, gate);
            client.write(ascii("PROXY TCP4 192.0.2.1 192.0.2.7 5555 443\r\n"));
            harness.cycleUntil("the upstream connected", () -> connection.state == Connection.OPEN);
            assertEquals(1, gate.held, "admitted at the gate");
            try (SocketChannel upstream = upstreamListener.accept())
            {
                assertTrue(upstream.isConnected());
                client.close();
            }
        });
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheDescriptorsAndTheCountWhenTheGateDeniesTheRealClient() throws Exception
    {
        runClient(acceptingProxyHeaders(), true, (harness, upstreamListener, client, gate) ->
        {
            final Connection connection = awaitPreamble(harness, gate);
            client.write(ascii("PROXY TCP4 10.1.2.3 192.0.2.7 5555 443\r\n"));
            harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
            assertEquals(CloseReason.DENIED, connection.closeReason);
        });
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheDescriptorsAndTheCountWhenThePreambleTimesOut() throws Exception
    {
        final ConfigBuilder config = acceptingProxyHeaders().proxyProtocolTimeoutMs(3000);
        runClient(config, true, (harness, upstreamListener, client, gate) ->
        {
            final Connection connection = awaitPreamble(harness, gate);
            harness.advance(Duration.ofMillis(3100));
            harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
            assertEquals(CloseReason.PROXY_PROTOCOL_ERROR, connection.closeReason);
        });
    }

    private static ConfigBuilder acceptingProxyHeaders()
    {
        return Config.builder().maxConnectionsPerClient(10).acceptProxyProtocol(true)
            .proxyProtocolTrusted(List.of("127.0.0.1/32"));
    }

    /**
     * One client on a hand-driven worker whose real clients a {@link CountingGate} judges after a PROXY header: taken
     * through {@code path}, run until its connection is gone, then nothing may be held.
     *
     * @param upstreamUp whether the upstream accepts (otherwise its port is closed: the connect fails).
     */
    private static void runClient(final ConfigBuilder config, final boolean upstreamUp, final ClientPath path)
        throws Exception
    {
        final ServerSocketChannel upstreamListener = upstreamListener();
        final InetSocketAddress target = localAddress(upstreamListener);
        if (!upstreamUp)
        {
            upstreamListener.close(); // the port is free again: connects to it are refused
        }
        try (upstreamListener; WorkerHarness harness = new WorkerHarness(config, target))
        {
            final CountingGate gate = CountingGate.installIn(harness);
            try (SocketChannel client = harness.connectClient())
            {
                path.run(harness, upstreamListener, client, gate);
                harness.cycleUntil("the connection gone", () -> harness.worker.table().size() == 0);
            }
            assertHeld(harness, 0, 0, 0, gate);
        }
    }

    /** What the client of {@link #runClient} does once connected to the worker. */
    private interface ClientPath
    {
        void run(WorkerHarness harness, ServerSocketChannel upstreamListener, SocketChannel client, CountingGate gate)
            throws Exception;
    }

    /** @return the connection reading its PROXY header, counted under the limit and holding its descriptors. */
    private static Connection awaitPreamble(final WorkerHarness harness, final CountingGate gate)
    {
        final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
        assertHeld(harness, 1, 0, 1, gate);
        return connection;
    }

    /**
     * @param active      connections counted under {@code max_connections}.
     * @param perClient   slots the per-client table holds for the loopback client (judged at accept).
     * @param descriptors clients whose two descriptors are still reserved.
     * @param gate        the gate judging after a PROXY header: it must hold nothing, before the header or after the
     *                    close.
     */
    private static void assertHeld(
        final WorkerHarness harness, final int active, final int perClient, final int descriptors,
        final CountingGate gate)
    {
        assertEquals(active, harness.context.activeConnections.get(), "active connections");
        assertEquals(perClient, harness.context.access.openConnections(LOOPBACK), "per-client slots");
        assertEquals(descriptors, harness.context.descriptors.reserved(), "reserved descriptors");
        assertEquals(0, gate.held, "gate admissions held");
    }

    private static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Admits every real client but 10.0.0.0/8 and counts the admissions not yet released. */
    private static final class CountingGate implements AccessGate
    {
        int held;

        static CountingGate installIn(final WorkerHarness harness)
        {
            final CountingGate gate = new CountingGate();
            harness.context.accessGate = gate;
            return gate;
        }

        public CloseReason admit(final Connection connection, final long nowNs)
        {
            if (connection.sourceAddress[0] == 10)
            {
                return CloseReason.DENIED;
            }
            held++;
            return null;
        }

        public void release(final Connection connection)
        {
            held--;
        }
    }
}
