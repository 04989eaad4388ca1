package io.tcpproxy.engine.admission;

import io.tcpproxy.CloseReason;
import io.tcpproxy.access.AccessList;
import io.tcpproxy.access.CidrRange;
import io.tcpproxy.access.ClientKey;
import io.tcpproxy.access.ClientTable;
import io.tcpproxy.config.Cidr;
import io.tcpproxy.config.Config;
import io.tcpproxy.engine.relay.Connection;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@link AccessGate} of the configuration: the {@code allow} / {@code deny} lists, then the per-client limits
 * ({@code max_connections_per_client}, {@code client_connect_rate} / {@code client_connect_burst}, one client per
 * {@code client_ipv6_prefix} for IPv6) in a bounded {@link ClientTable} shared by all workers. Allocates nothing per
 * call; a connection admitted under a limit carries its table and client key, and {@link #release} gives its slot
 * back there once. {@link #reconfigure} swaps the rules for a reload.
 */
public final class ClientAccessGate implements AccessGate
{
    /** Fewest clients remembered, whatever {@code max_connections}. */
    static final int MIN_CLIENT_CAPACITY = 4096;
    /** Most clients remembered (about 50 MB of flat arrays at most): a scan from more addresses evicts idle ones. */
    static final int MAX_CLIENT_CAPACITY = 1 << 20;

    /** The rules in force, replaced whole on a reconfiguration; a worker reads them once per admission. */
    private volatile Rules rules;

    private ClientAccessGate(final Rules rules)
    {
        this.rules = rules;
    }

    /**
     * @param config the settings.
     * @return the gate they describe; it admits everyone at the cost of one volatile read when they limit nothing.
     */
    public static ClientAccessGate of(final Config config)
    {
        return new ClientAccessGate(Rules.of(config, null));
    }

    /**
     * Apply changed lists and limits to the connections accepted from now on (a reload; any thread). The per-client
     * table is kept when its limits are unchanged; otherwise a new one starts empty, and connections counted in the
     * old one give their slots back there, so during the change a client may hold its old connections plus the new
     * cap.
     *
     * @param config the new settings.
     */
    public void reconfigure(final Config config)
    {
        rules = Rules.of(config, rules);
    }

    /** @return whether the current rules limit anyone at all. */
    boolean limitsAnyone()
    {
        final Rules current = rules;
        return current.lists != null || current.clients != null;
    }

    /**
     * A client with an open connection is never forgotten, so the table holds well more clients than connections can
     * be open (four times, from {@link #MIN_CLIENT_CAPACITY} to {@link #MAX_CLIENT_CAPACITY}).
     */
    static int clientCapacity(final int maxConnections)
    {
        return (int)Math.max(MIN_CLIENT_CAPACITY, Math.min(MAX_CLIENT_CAPACITY, 4L * maxConnections));
    }

    public CloseReason admit(final Connection connection, final long nowNs)
    {
        final Rules current = rules;
        final byte[] address = connection.sourceAddress;
        if (current.lists != null && !current.lists.admits(address, address.length))
        {
            return CloseReason.DENIED;
        }
        final ClientTable clients = current.clients;
        if (clients == null)
        {
            return null;
        }
        final long high = ClientKey.high(address, address.length, current.ipv6PrefixBits);
        final long low = ClientKey.low(address, address.length, current.ipv6PrefixBits);
        switch (clients.tryAcquire(high, low, nowNs))
        {
            case ADMITTED:
                connection.clientTable = clients;
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
        final ClientTable clients = connection.clientTable;
        if (clients != null)
        {
            connection.clientTable = null;
            clients.release(connection.clientKeyHigh, connection.clientKeyLow);
        }
    }

    /** @return the open connections counted for the client at this address in the current table (tests). */
    public int openConnections(final byte[] address)
    {
        final Rules current = rules;
        return current.clients == null ? 0 : current.clients.openConnections(
            ClientKey.high(address, address.length, current.ipv6PrefixBits),
            ClientKey.low(address, address.length, current.ipv6PrefixBits));
    }

    /** @return the current per-client table, or null when no per-client limit is set. */
    ClientTable clients()
    {
        return rules.clients;
    }

    /** One configuration's lists and limits, immutable (the table inside is shared and thread-safe). */
    private static final class Rules
    {
        final AccessList lists;
        final ClientTable clients;
        final int ipv6PrefixBits;
        final int maxConnectionsPerClient;
        final int connectRate;
        final int connectBurst;

        private Rules(final AccessList lists, final ClientTable clients, final int ipv6PrefixBits,
            final int maxConnectionsPerClient, final int connectRate, final int connectBurst)
        {
            this.lists = lists;
            this.clients = clients;
            this.ipv6PrefixBits = ipv6PrefixBits;
            this.maxConnectionsPerClient = maxConnectionsPerClient;
            this.connectRate = connectRate;
            this.connectBurst = connectBurst;
        }

        static Rules of(final Config config, final Rules previous)
        {
            final AccessList lists = new AccessList(ranges(config.allow()), ranges(config.deny()));
            final int perClient = config.maxConnectionsPerClient();
            final int rate = config.clientConnectRate();
            final int burst = config.effectiveClientConnectBurst();
            final int prefix = config.clientIpv6Prefix();
            ClientTable clients = null;
            if (perClient > 0 || rate > 0)
            {
                final int capacity = clientCapacity(config.maxConnections());
                final boolean unchanged = previous != null && previous.clients != null &&
                    previous.clients.capacity() == capacity && previous.maxConnectionsPerClient == perClient &&
                    previous.connectRate == rate && previous.connectBurst == burst && previous.ipv6PrefixBits == prefix;
                clients = unchanged ? previous.clients : new ClientTable(capacity, perClient, rate, burst);
            }
            return new Rules(lists.admitsEveryone() ? null : lists, clients, prefix, perClient, rate, burst);
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
    }
}
