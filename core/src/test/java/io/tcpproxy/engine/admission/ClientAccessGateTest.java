package io.tcpproxy.engine.admission;

import io.tcpproxy.CloseReason;
import io.tcpproxy.access.ClientKey;
import io.tcpproxy.access.ClientTable;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.engine.relay.Connection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configuration's access gate on its own (no worker): per-client state bounded whatever the number of clients,
 * lists and IPv6 prefixes judged, and a reconfiguration that keeps or replaces the per-client table.
 */
class ClientAccessGateTest
{
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

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
        final ConfigBuilder builder = Config.builder().maxConnectionsPerClient(1);
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
}
