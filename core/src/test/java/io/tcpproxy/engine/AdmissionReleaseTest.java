package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
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
 * close, on every path: counts go to one while the connection is admitted and back to zero once it closed.
 */
class AdmissionReleaseTest
{
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    @Test
    @Timeout(60)
    void shouldReleaseTheSlotAndTheCountAfterANormalClose() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder().maxConnectionsPerClient(10),
                localAddress(upstreamListener)))
        {
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.OPEN);
                assertHeld(harness, 1, 1, 0, null);
                try (SocketChannel upstream = upstreamListener.accept())
                {
                    assertTrue(upstream.isConnected());
                    client.shutdownOutput();
                    upstream.shutdownOutput();
                    harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
                    assertTrue(connection.closeReason == CloseReason.CLIENT_FIN ||
                        connection.closeReason == CloseReason.UPSTREAM_FIN, "closed by FINs both ways");
                }
            }
            assertHeld(harness, 0, 0, 0, null);
        }
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheSlotAndTheCountAfterAConnectFailure() throws Exception
    {
        final InetSocketAddress closedPort;
        try (ServerSocketChannel gone = upstreamListener())
        {
            closedPort = localAddress(gone);
        }
        try (WorkerHarness harness = new WorkerHarness(Config.builder().maxConnectionsPerClient(10), closedPort);
            SocketChannel client = harness.connectClient())
        {
            assertTrue(client.isConnected());
            harness.cycleUntil("the connect to fail", () -> harness.worker.table().size() == 0 &&
                harness.context.activeConnections.get() == 0);
            assertHeld(harness, 0, 0, 0, null);
        }
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheGateTheDescriptorsAndTheCountAfterAnAdmittedHeaderCloses() throws Exception
    {
        runProxyHeaderClient(acceptingProxyHeaders(), (harness, upstreamListener, client, connection, gate) ->
        {
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
        final Connection denied = runProxyHeaderClient(acceptingProxyHeaders(),
            (harness, upstreamListener, client, connection, gate) ->
                client.write(ascii("PROXY TCP4 10.1.2.3 192.0.2.7 5555 443\r\n")));
        assertEquals(CloseReason.DENIED, denied.closeReason);
    }

    @Test
    @Timeout(60)
    void shouldReleaseTheDescriptorsAndTheCountWhenThePreambleTimesOut() throws Exception
    {
        final Connection late = runProxyHeaderClient(acceptingProxyHeaders().proxyProtocolTimeoutMs(3000),
            (harness, upstreamListener, client, connection, gate) -> harness.advance(Duration.ofMillis(3100)));
        assertEquals(CloseReason.PROXY_PROTOCOL_ERROR, late.closeReason);
    }

    /**
     * One client that must open with a PROXY header, judged by a {@link CountingGate}: counted while it reads its
     * preamble, taken through {@code path}, run until it closed, then nothing may be held.
     *
     * @return the closed connection.
     */
    private static Connection runProxyHeaderClient(final Config.Builder config, final ProxyHeaderPath path)
        throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(config, localAddress(upstreamListener)))
        {
            final CountingGate gate = CountingGate.installIn(harness);
            final Connection connection;
            try (SocketChannel client = harness.connectClient())
            {
                connection = harness.awaitConnection(Connection.PREAMBLE);
                assertHeld(harness, 1, 0, 1, gate);
                path.run(harness, upstreamListener, client, connection, gate);
                harness.cycleUntil("the close", () -> connection.state == Connection.CLOSED);
            }
            assertHeld(harness, 0, 0, 0, gate);
            return connection;
        }
    }

    /** What the client of {@link #runProxyHeaderClient} does once its connection reads its preamble. */
    private interface ProxyHeaderPath
    {
        void run(WorkerHarness harness, ServerSocketChannel upstreamListener, SocketChannel client,
            Connection connection, CountingGate gate) throws Exception;
    }

    private static Config.Builder acceptingProxyHeaders()
    {
        return Config.builder().maxConnectionsPerClient(10).acceptProxyProtocol(true)
            .proxyProtocolTrusted(List.of("127.0.0.1/32"));
    }

    /**
     * @param active      connections counted under {@code max_connections}.
     * @param perClient   slots the per-client table holds for the loopback client (judged at accept).
     * @param descriptors clients whose two descriptors are still reserved.
     * @param gate        the gate judging after a PROXY header (it must hold nothing, before the header or after the
     *                    close), or null.
     */
    private static void assertHeld(
        final WorkerHarness harness, final int active, final int perClient, final int descriptors,
        final CountingGate gate)
    {
        assertEquals(active, harness.context.activeConnections.get(), "active connections");
        assertEquals(perClient, harness.context.access.openConnections(LOOPBACK), "per-client slots");
        assertEquals(descriptors, harness.context.descriptors.reserved(), "reserved descriptors");
        if (gate != null)
        {
            assertEquals(0, gate.held, "gate admissions held");
        }
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
