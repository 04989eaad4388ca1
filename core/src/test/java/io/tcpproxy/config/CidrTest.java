package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest
{
    @Test
    void shouldParseAnIpv4Network()
    {
        final Cidr cidr = Cidr.parse("10.0.0.0/8");

        assertTrue(cidr.isIpv4());
        assertArrayEquals(new byte[]{ 10, 0, 0, 0 }, cidr.address());
        assertEquals(8, cidr.prefixLength());
        assertEquals("10.0.0.0/8", cidr.toString());
        assertTrue(cidr.contains(new byte[]{ 10, (byte)200, 1, 2 }));
        assertFalse(cidr.contains(new byte[]{ 11, 0, 0, 0 }));
    }

    @Test
    void shouldReadASingleAddressAsANetworkOfOne()
    {
        assertEquals(32, Cidr.parse("192.0.2.7").prefixLength());
        assertEquals("192.0.2.7", Cidr.parse(" 192.0.2.7 ").toString());
        assertEquals(128, Cidr.parse("::1").prefixLength());
        assertEquals("::1", Cidr.parse("::1").toString());
        assertEquals(Cidr.parse("192.0.2.7/32"), Cidr.parse("192.0.2.7"));
    }

    @Test
    void shouldParseIpv6NetworksAndWriteThemCompressed()
    {
        final Cidr cidr = Cidr.parse("2001:DB8:0:0::/32");

        assertFalse(cidr.isIpv4());
        assertEquals(16, cidr.address().length);
        assertEquals("2001:db8::/32", cidr.toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("2001:db8:0:1::1", Cidr.parse("2001:db8:0:1:0:0:0:1").toString());
        assertEquals("fe80::1:0:0:1", Cidr.parse("fe80:0:0:0:1:0:0:1").toString());
        assertTrue(cidr.contains(Cidr.parse("2001:db8:ffff::1").address()));
        assertFalse(cidr.contains(new byte[]{ 32, 1, 13, (byte)184 }), "an IPv4 address is never in an IPv6 net");
    }

    @Test
    void shouldRefuseBitsSetPastThePrefix()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Cidr.parse("192.168.1.1/16"));

        assertEquals("\"192.168.1.1/16\" has bits set past the /16 prefix (did you mean \"192.168.0.0/16\"?)",
            ex.getMessage());
    }

    @Test
    void shouldRefuseMalformedText()
    {
        for (final String text : new String[]{ "", "10.0.0", "10.0.0.256", "10.0.0.01", "10.0.0.0/", "10.0.0.0/x",
            "example.com", "::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "::ffff:10.0.0.1" })
        {
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text), text);
        }
        assertEquals("expected a prefix length from 0 to 128 after the slash, got \"::/129\"",
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse("::/129")).getMessage());
    }

    @Test
    void shouldBuildFromBytesClearingHostBits()
    {
        final Cidr cidr = Cidr.of(new byte[]{ 10, 1, 2, 3 }, 20);

        assertEquals("10.1.0.0/20", cidr.toString());
        assertEquals(Cidr.parse("10.1.0.0/20"), cidr);
        assertEquals(Cidr.parse("10.1.0.0/20").hashCode(), cidr.hashCode());
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(new byte[5], 8));
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(new byte[4], 33));
    }
}
