package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.access.AccessList;
import io.tcpproxy.access.CidrRange;
import io.tcpproxy.access.ClientKey;
import io.tcpproxy.access.ClientTable;
import io.tcpproxy.config.Cidr;
import io.tcpproxy.config.Config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link AccessGate} of the configuration: the {@code allow} / {@code deny} lists, then the per-client limits
 * ({@code max_connections_per_client}, {@code client_connect_rate} / {@code client_connect_burst}, one client per
 * {@code client_ipv6_prefix} for IPv6) in a bounded {@link ClientTable} shared by all workers. Allocates nothing per
 * call; a connection admitted under a limit carries its client key, and {@link #release} gives its slot back once.
 */
final class ClientAccessGate implements AccessGate
{
    /** Fewest clients remembered, whatever {@code max_connections}. */
    static final int MIN_CLIENT_CAPACITY = 4096;
    /** Most clients remembered (about 48 MB of flat arrays at most): a scan from more addresses evicts idle ones. */
    static final int MAX_CLIENT_CAPACITY = 1 << 20;

    private final AccessList lists;
    private final ClientTable clients;
    private final int ipv6PrefixBits;

    private ClientAccessGate(final AccessList lists, final ClientTable clients, final int ipv6PrefixBits)
    {
        this.lists = lists;
        this.clients = clients;
        this.ipv6PrefixBits = ipv6PrefixBits;
    }

    /**
     * @param config the settings.
     * @return the gate they describe, or {@link AccessGate#OPEN} when they limit nothing.
     */
    static AccessGate of(final Config config)
    {
        final AccessList lists = new AccessList(ranges(config.allow()), ranges(config.deny()));
        final boolean limits = config.maxConnectionsPerClient() > 0 || config.clientConnectRate() > 0;
        if (lists.admitsEveryone() && !limits)
        {
            return AccessGate.OPEN;
        }
        final ClientTable clients = limits ? new ClientTable(clientCapacity(config.maxConnections()),
            config.maxConnectionsPerClient(), config.clientConnectRate(), config.effectiveClientConnectBurst()) : null;
        return new ClientAccessGate(lists.admitsEveryone() ? null : lists, clients, config.clientIpv6Prefix());
    }

    /**
     * A client with an open connection is never forgotten, so the table holds well more clients than connections can
     * be open (four times, from {@link #MIN_CLIENT_CAPACITY} to {@link #MAX_CLIENT_CAPACITY}).
     */
    static int clientCapacity(final int maxConnections)
    {
        return (int)Math.max(MIN_CLIENT_CAPACITY, Math.min(MAX_CLIENT_CAPACITY, 4L * maxConnections));
    }

    private static List<CidrRange> ranges(final List<Cidr> cidrs)
    {
        final List<CidrRange> ranges = new ArrayList<>(cidrs.size());
        for (final Cidr cidr : cidrs)
        {
            ranges.add(new CidrRange(cidr.address(), cidr.prefixLength()));
        }
        return ranges;
    }

    public CloseReason admit(final Connection connection, final long nowNs)
    {
        final byte[] address = connection.sourceAddress;
        if (lists != null && !lists.admits(address, address.length))
        {
            return CloseReason.DENIED;
        }
        if (clients == null)
        {
            return null;
        }
        final long high = ClientKey.high(address, address.length, ipv6PrefixBits);
        final long low = ClientKey.low(address, address.length, ipv6PrefixBits);
        switch (clients.tryAcquire(high, low, nowNs))
        {
            case ADMITTED:
                connection.clientSlotHeld = true;
                connection.clientKeyHigh = high;
                connection.clientKeyLow = low;
                return null;
            case CLIENT_LIMIT:
                return CloseReason.CLIENT_LIMIT;
            case RATE_LIMITED:
            default:
                return CloseReason.RATE_LIMITED;
        }
    }

    public void release(final Connection connection)
    {
        if (connection.clientSlotHeld)
        {
            connection.clientSlotHeld = false;
            clients.release(connection.clientKeyHigh, connection.clientKeyLow);
        }
    }

    /** @return the open connections counted for the client at this address (tests). */
    int openConnections(final byte[] address)
    {
        return clients == null ? 0 : clients.openConnections(
            ClientKey.high(address, address.length, ipv6PrefixBits),
            ClientKey.low(address, address.length, ipv6PrefixBits));
    }

    /** @return the per-client table, or null when no per-client limit is set. */
    ClientTable clients()
    {
        return clients;
    }
}
