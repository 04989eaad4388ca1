package io.tcpproxy.engine.upstream;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.upstream.ConnectAttempt;
import io.tcpproxy.upstream.ConnectFailure;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Pools of servers ({@code [[upstream]]}, or a literal {@code target_addr} as a pool of one): picks from the pool
 * of the connection's {@link Connection#poolIndex} in the connection's own routing table, retries elsewhere until
 * {@code connect_attempts} are spent, feeds passive health. One per worker; keeps spare {@link ConnectAttempt}s per
 * pool so that connecting allocates none once warm (a reload that replaces a pool drops its spares).
 */
public final class PoolSelector implements UpstreamSelector
{
    private final List<ArrayDeque<ConnectAttempt>> spareAttempts = new ArrayList<>();
    /** The pool whose attempts each deque of {@link #spareAttempts} holds. */
    private final List<UpstreamPool> spareOwners = new ArrayList<>();

    public InetSocketAddress next(final Connection connection, final long nowNs)
    {
        ConnectAttempt attempt = connection.attempt;
        if (attempt == null)
        {
            final UpstreamPool[] pools = connection.routing.pools;
            if (connection.poolIndex < 0 || connection.poolIndex >= pools.length)
            {
                return null; // a preamble chose a pool that does not exist: no_upstream
            }
            final UpstreamPool pool = pools[connection.poolIndex];
            attempt = spares(connection.poolIndex, pool).pollFirst();
            if (attempt == null)
            {
                attempt = pool.newAttempt();
            }
            attempt.reset(sourceKey(connection.sourceAddress));
            connection.attempt = attempt;
            connection.upstreamPool = pool;
        }
        final UpstreamServer server = connection.upstreamPool.select(attempt);
        connection.server = server;
        if (server == null)
        {
            recycle(connection);
            return null;
        }
        return server.address();
    }

    public CloseReason exhaustedReason(final Connection connection)
    {
        return connection.lastConnectFailure == null ? CloseReason.NO_UPSTREAM : connection.lastConnectFailure;
    }

    public void onConnectFailure(final Connection connection, final CloseReason reason)
    {
        final UpstreamServer server = connection.server;
        if (server != null)
        {
            connection.server = null;
            connection.upstreamPool.onConnectFailure(server, ConnectFailure.of(reason));
        }
    }

    public void onConnected(final Connection connection)
    {
        connection.upstreamPool.onConnectSuccess(connection.server);
        recycle(connection);
    }

    private void recycle(final Connection connection)
    {
        final ConnectAttempt attempt = connection.attempt;
        if (attempt != null)
        {
            connection.attempt = null;
            if (connection.poolIndex < spareOwners.size() && spareOwners.get(connection.poolIndex) ==
                connection.upstreamPool)
            {
                spareAttempts.get(connection.poolIndex).offerFirst(attempt);
            }
        }
    }

    private ArrayDeque<ConnectAttempt> spares(final int poolIndex, final UpstreamPool pool)
    {
        while (spareAttempts.size() <= poolIndex)
        {
            spareAttempts.add(new ArrayDeque<>());
            spareOwners.add(null);
        }
        final ArrayDeque<ConnectAttempt> spares = spareAttempts.get(poolIndex);
        if (spareOwners.get(poolIndex) != pool)
        {
            spares.clear(); // sized for another pool's connect_attempts
            spareOwners.set(poolIndex, pool);
        }
        return spares;
    }

    /** @return the client address's bytes as one int, without allocating (IPv6: all 16 bytes folded). */
    static int sourceKey(final byte[] address)
    {
        if (address == null)
        {
            return 0;
        }
        int key = 0;
        for (final byte b : address)
        {
            key = key * 31 + (b & 0xff);
        }
        return key;
    }
}
