package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.upstream.Balance;
import io.tcpproxy.upstream.PassiveHealthSpec;
import io.tcpproxy.upstream.PoolSpec;
import io.tcpproxy.upstream.ServerSpec;
import io.tcpproxy.upstream.UpstreamListener;
import io.tcpproxy.upstream.UpstreamPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's pool selector without sockets: pool choice by {@code Connection.poolIndex} (what SNI routing sets),
 * retries on another server, {@code no_upstream}, slots released on close, no allocation once warm.
 */
class PoolSelectorTest
{
    private static final byte[] CLIENT = {127, 0, 0, 1};

    private final UpstreamPool web = pool("web", "127.0.0.1:1001", "127.0.0.1:1002");
    private final UpstreamPool api = pool("api", "127.0.0.1:2001");
    private final RoutingTable routing = RoutingTable.of(
        io.tcpproxy.config.Config.builder().targetAddress("127.0.0.1:1001").build(), new UpstreamPool[] {web, api});
    private final PoolSelector selector = new PoolSelector();

    @AfterEach
    void close()
    {
        web.close();
        api.close();
    }

    @Test
    void connectsToThePoolTheConnectionNames()
    {
        final Connection toApi = connection(1);
        assertEquals(new InetSocketAddress("127.0.0.1", 2001), selector.next(toApi, 0));
        final Connection toWeb = connection(0);
        assertEquals(1001, selector.next(toWeb, 0).getPort());
        selector.onConnected(toApi);
        assertEquals(1, api.servers().get(0).activeConnections());
        UpstreamConnector.release(toApi);
        assertEquals(0, api.servers().get(0).activeConnections());
        assertEquals(1, api.servers().get(0).connectionsTotal());
    }

    @Test
    void aPoolIndexWithoutAPoolClosesWithNoUpstream()
    {
        final Connection lost = connection(7);
        assertNull(selector.next(lost, 0));
        assertEquals(CloseReason.NO_UPSTREAM, selector.exhaustedReason(lost));
    }

    @Test
    void aFailedTryGoesToAnotherServerThenGivesUpWithTheLastReason()
    {
        final Connection connection = connection(0);
        final InetSocketAddress first = selector.next(connection, 0);
        connection.lastConnectFailure = CloseReason.CONNECT_REFUSED;
        selector.onConnectFailure(connection, CloseReason.CONNECT_REFUSED);
        final InetSocketAddress second = selector.next(connection, 0);
        assertNotNull(second);
        assertTrue(first.getPort() != second.getPort(), "the retry goes to the other server");
        connection.lastConnectFailure = CloseReason.CONNECT_TIMEOUT;
        selector.onConnectFailure(connection, CloseReason.CONNECT_TIMEOUT);
        assertNull(selector.next(connection, 0), "both servers tried");
        assertEquals(CloseReason.CONNECT_TIMEOUT, selector.exhaustedReason(connection));
        assertEquals(1, web.connectRetriesTotal());
        for (final var server : web.servers())
        {
            assertEquals(0, server.activeConnections(), "failed tries hold no slot");
        }
    }

    @Test
    void attemptsAreReusedAndSelectingAllocatesNothingOnceWarm()
    {
        final Connection connection = connection(0);
        selector.next(connection, 0);
        final Object attempt = connection.attempt;
        selector.onConnected(connection);
        UpstreamConnector.release(connection);

        final Connection next = connection(0);
        selector.next(next, 0);
        assertSame(attempt, next.attempt, "a spare attempt is reused");
        selector.onConnected(next);
        UpstreamConnector.release(next);

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) // warm up
        {
            oneConnect(next);
        }
        final long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++)
        {
            oneConnect(next);
        }
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes for 100k connects");
    }

    private void oneConnect(final Connection connection)
    {
        connection.server = null;
        selector.next(connection, 0);
        selector.onConnected(connection);
        UpstreamConnector.release(connection);
    }

    private Connection connection(final int poolIndex)
    {
        final Connection connection = new Connection(1, null, null, CLIENT, 40000, 0);
        connection.poolIndex = poolIndex;
        connection.routing = routing;
        return connection;
    }

    private static UpstreamPool pool(final String name, final String... addrs)
    {
        final List<ServerSpec> servers = java.util.Arrays.stream(addrs).map(ServerSpec::of).toList();
        return UpstreamPool.create(new PoolSpec(name, servers, Balance.ROUND_ROBIN, 3, null,
            PassiveHealthSpec.defaults(), PoolSpec.DEFAULT_DNS_REFRESH_SECS), new UpstreamListener()
            {
            });
    }
}
