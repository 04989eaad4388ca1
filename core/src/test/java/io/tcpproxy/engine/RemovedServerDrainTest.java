package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.engine.upstream.RemovedServerDrain;
import io.tcpproxy.testsupport.TestUpstream;
import io.tcpproxy.upstream.ConnectAttempt;
import io.tcpproxy.upstream.PoolSpec;
import io.tcpproxy.upstream.ServerSpec;
import io.tcpproxy.upstream.UpstreamListener;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The drain of connections to a removed server on one worker, driven by its fake clock: closed with
 * {@code server_removed} once the drain time passed, each at its own deadline spread over the following seconds;
 * with no drain time (or a server brought back) they run on.
 */
class RemovedServerDrainTest
{
    private static final int CLIENTS = 8;

    private TestUpstream echo;
    private UpstreamPool pool;
    private WorkerHarness harness;

    @BeforeEach
    void startAWorkerOnAPoolOfOneEchoServer() throws IOException
    {
        echo = TestUpstream.echo();
        pool = pool(echo);
        harness = new WorkerHarness(Config.builder(), address(echo));
    }

    @AfterEach
    void stop()
    {
        harness.close();
        pool.close();
        echo.close();
    }

    @Test
    @Timeout(60)
    void connectionsCloseAfterTheDrainAtSpreadDeadlines() throws Exception
    {
        final List<Connection> connections = connectAll(harness, pool);
        final UpstreamServer server = pool.servers().get(0);
        final RemovedServerDrain drain = new RemovedServerDrain(new UpstreamServer[] {server},
            Duration.ofSeconds(2).toNanos());
        assertEquals(CLIENTS, drain.apply(harness.worker.table(), harness.worker.timers(), harness.worker.nowNs()));

        harness.advance(Duration.ofMillis(1900));
        harness.cycles(3);
        assertEquals(CLIENTS, harness.worker.table().size(), "nothing closed before the drain time");

        final TreeSet<Integer> closeSteps = new TreeSet<>();
        for (int step = 0; step < 30 && harness.worker.table().size() > 0; step++)
        {
            final int before = harness.worker.table().size();
            harness.advance(Duration.ofMillis(100));
            harness.cycles(2);
            if (harness.worker.table().size() < before)
            {
                closeSteps.add(step);
            }
        }
        assertEquals(0, harness.worker.table().size(), "all closed within drain + spread");
        assertTrue(closeSteps.size() >= 4, "closed at several instants, not at once: steps " + closeSteps);
        for (final Connection connection : connections)
        {
            assertEquals(CloseReason.SERVER_REMOVED, connection.closeReason);
        }
        assertEquals(0, server.activeConnections(), "their slots released");
    }

    @Test
    @Timeout(60)
    void withoutADrainTimeOrWhenTheServerIsBackTheyRunOn() throws Exception
    {
        connectAll(harness, pool);
        final UpstreamServer[] removed = {pool.servers().get(0)};
        final ConnectionTable table = harness.worker.table();
        new RemovedServerDrain(removed, Duration.ofSeconds(2).toNanos())
            .apply(table, harness.worker.timers(), harness.worker.nowNs());
        // a later reload with removed_server_drain_secs = 0 lifts the deadline
        new RemovedServerDrain(removed, 0).apply(table, harness.worker.timers(), harness.worker.nowNs());
        harness.advance(Duration.ofSeconds(60));
        harness.cycles(3);
        assertEquals(CLIENTS, table.size());

        new RemovedServerDrain(removed, Duration.ofSeconds(1).toNanos())
            .apply(table, harness.worker.timers(), harness.worker.nowNs());
        // the server came back in a later reload: no longer removed, nothing closes
        RemovedServerDrain.NONE.apply(table, harness.worker.timers(), harness.worker.nowNs());
        harness.advance(Duration.ofSeconds(60));
        harness.cycles(3);
        assertEquals(CLIENTS, table.size());
    }

    private static List<Connection> connectAll(final WorkerHarness harness, final UpstreamPool pool)
        throws IOException
    {
        final List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++)
        {
            clients.add(harness.connectClient());
        }
        final ConnectionTable table = harness.worker.table();
        harness.cycleUntil(CLIENTS + " connections relaying", () ->
        {
            int open = 0;
            for (int i = 0; i < table.size(); i++)
            {
                open += table.at(i).state == Connection.OPEN ? 1 : 0;
            }
            return open == CLIENTS;
        });
        final List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < table.size(); i++)
        {
            // as the pool selector does: the connection holds a slot on the server it reached
            final Connection connection = table.at(i);
            final ConnectAttempt attempt = pool.newAttempt();
            attempt.reset(i);
            connection.server = pool.select(attempt);
            connection.upstreamPool = pool;
            connections.add(connection);
        }
        return connections;
    }

    private static UpstreamPool pool(final TestUpstream echo)
    {
        return UpstreamPool.create(PoolSpec.of(List.of(ServerSpec.of(echo.address()))), new UpstreamListener()
        {
        });
    }

    private static InetSocketAddress address(final TestUpstream echo)
    {
        return new InetSocketAddress("127.0.0.1", echo.port());
    }
}
