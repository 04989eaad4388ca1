package io.tcpproxy.access;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessListTest
{
    @Test
    void shouldParseRangesAndSingleAddresses() throws Exception
    {
        assertEquals("10.0.0.0/8", CidrRange.parse("10.0.0.0/8").toString());
        assertEquals("10.0.0.0/8", CidrRange.parse("10.1.2.3/8").toString(), "host bits cleared");
        assertEquals("192.168.1.7/32", CidrRange.parse("192.168.1.7").toString());
        assertEquals("::1/128", CidrRange.parse("::1").toString());
        assertEquals("2001:db8::/32", CidrRange.parse("2001:DB8::/32").toString());
        assertEquals("0.0.0.0/0", CidrRange.parse("0.0.0.0/0").toString());
        assertEquals("::/0", CidrRange.parse("::/0").toString());
        assertArrayEquals(InetAddress.getByName("fe80::").getAddress(), CidrRange.parse("fe80::1/10").address());
        assertEquals(CidrRange.parse("10.0.0.0/8"), new CidrRange(new byte[] {10, 9, 9, 9}, 8));
    }

    @Test
    void shouldRejectMalformedRangesWithAMessageSayingWhatIsExpected()
    {
        for (final String bad : new String[] {"", "10.0.0", "10.0.0.0/", "10.0.0.0/33", "::1/129", "10.0.0.0/8x",
            "example.com", "1.2.3.4.5", "10.0.0.01", "::1::2", "2001:db8::/-1", "10.0.0.0/8/8", " /8", "1.2.3.4/0008"})
        {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CidrRange.parse(bad),
                bad);
            assertTrue(e.getMessage().contains(bad.trim()) || e.getMessage().contains("larger than"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new CidrRange(new byte[5], 8));
        assertThrows(IllegalArgumentException.class, () -> new CidrRange(new byte[4], 33));
    }

    @Test
    void shouldMatchIpv4Ranges() throws Exception
    {
        assertMatching(matcher("10.0.0.0/8", "192.168.1.7", "172.16.0.0/12"),
            List.of("10.255.1.2", "192.168.1.7", "172.31.255.255"),
            List.of("192.168.1.8", "172.32.0.0", "11.0.0.0", "::1"));
        assertTrue(matches(matcher("0.0.0.0/0"), "1.2.3.4"));
        assertFalse(matches(matcher("0.0.0.0/0"), "2001:db8::1"), "an IPv4 range does not cover IPv6 clients");
    }

    @Test
    void shouldMatchIpv6RangesIncludingLoopback() throws Exception
    {
        assertMatching(matcher("::1", "2001:db8::/32", "2001:db8:ffff:ffff:1::/80"),
            List.of("::1", "2001:db8:1234::5"), List.of("::2", "2001:db9::", "127.0.0.1"));
        assertMatching(matcher("2001:db8:0:0:8000::/65"),
            List.of("2001:db8::8000:0:0:1"), List.of("2001:db8::7fff:0:0:1"));
        assertTrue(matches(matcher("::/0"), "fe80::1"));
    }

    @Test
    void shouldMatchIpv4MappedClientsAndRangesAsIpv4() throws Exception
    {
        final byte[] mapped = mapped(10, 1, 2, 3);
        assertTrue(matcher("10.0.0.0/8").matches(mapped, 16), "a dual-stack socket's ::ffff:10.1.2.3");
        assertFalse(matcher("11.0.0.0/8").matches(mapped, 16));
        assertTrue(matches(matcher("::ffff:10.0.0.0/104"), "10.9.9.9"), "a mapped range covers IPv4 clients");
        assertTrue(matcher("::ffff:10.0.0.0/104").matches(mapped, 16));
    }

    @Test
    void shouldCheckDenyBeforeAllowAndTreatAnEmptyAllowAsEveryone() throws Exception
    {
        final AccessList everyone = new AccessList(List.of(), List.of());
        assertTrue(everyone.admitsEveryone());
        assertTrue(admits(everyone, "203.0.113.9"));
        assertTrue(admits(everyone, "::1"));

        final AccessList denyOnly = new AccessList(List.of(), ranges("203.0.113.0/24", "::1"));
        assertFalse(admits(denyOnly, "203.0.113.9"));
        assertFalse(admits(denyOnly, "::1"));
        assertTrue(admits(denyOnly, "127.0.0.1"));

        final AccessList allowWithHole = new AccessList(ranges("10.0.0.0/8", "::1"), ranges("10.6.6.0/24"));
        assertFalse(allowWithHole.admitsEveryone());
        assertTrue(admits(allowWithHole, "10.1.1.1"));
        assertFalse(admits(allowWithHole, "10.6.6.6"), "deny wins over allow");
        assertFalse(admits(allowWithHole, "192.0.2.1"), "not in a non-empty allow");
        assertTrue(admits(allowWithHole, "::1"));
        assertFalse(admits(allowWithHole, "::2"));
        // the arrays may be longer than the address: ProxyHeader keeps 16-byte arrays for both families
        final byte[] longer = new byte[16];
        longer[0] = 10;
        longer[1] = 1;
        assertTrue(allowWithHole.admits(longer, 4));
    }

    @Test
    void shouldKeyIpv4ClientsByAddressAndIpv6ClientsByPrefix() throws Exception
    {
        final byte[] a = InetAddress.getByName("2001:db8:1:2:aaaa::1").getAddress();
        final byte[] b = InetAddress.getByName("2001:db8:1:2:bbbb::2").getAddress();
        final byte[] c = InetAddress.getByName("2001:db8:1:3::1").getAddress();
        assertEquals(ClientKey.high(a, 16, 64), ClientKey.high(b, 16, 64));
        assertEquals(ClientKey.low(a, 16, 64), ClientKey.low(b, 16, 64));
        assertNotEquals(ClientKey.high(a, 16, 64), ClientKey.high(c, 16, 64));
        assertNotEquals(ClientKey.low(a, 16, 128), ClientKey.low(b, 16, 128), "/128: one client per address");
        assertEquals(ClientKey.high(a, 16, 48), ClientKey.high(c, 16, 48));

        final byte[] v4 = {(byte)192, 0, 2, 1};
        final byte[] mapped = mapped(192, 0, 2, 1);
        assertEquals(ClientKey.high(v4, 4, 64), ClientKey.high(mapped, 16, 64));
        assertEquals(ClientKey.low(v4, 4, 64), ClientKey.low(mapped, 16, 64));
        final byte[] v4b = {(byte)192, 0, 2, 2};
        assertNotEquals(ClientKey.low(v4, 4, 64), ClientKey.low(v4b, 4, 64));
        final byte[] zeroV6 = new byte[16];
        assertNotEquals(ClientKey.low(zeroV6, 16, 64), ClientKey.low(new byte[4], 4, 64), "0.0.0.0 is not ::/64");
    }

    static byte[] mapped(final int a, final int b, final int c, final int d)
    {
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        mapped[12] = (byte)a;
        mapped[13] = (byte)b;
        mapped[14] = (byte)c;
        mapped[15] = (byte)d;
        return mapped;
    }

    private static boolean matches(final CidrMatcher matcher, final String address) throws Exception
    {
        final byte[] bytes = InetAddress.getByName(address).getAddress();
        return matcher.matches(bytes, bytes.length);
    }

    /** Every address of {@code inside} matches, none of {@code outside}. */
    private static void assertMatching(final CidrMatcher matcher, final List<String> inside, final List<String> outside)
        throws Exception
    {
        for (final String address : inside)
        {
            assertTrue(matches(matcher, address), address + " matches");
        }
        for (final String address : outside)
        {
            assertFalse(matches(matcher, address), address + " does not match");
        }
    }

    private static boolean admits(final AccessList list, final String address) throws Exception
    {
        final byte[] bytes = InetAddress.getByName(address).getAddress();
        return list.admits(bytes, bytes.length);
    }

    private static CidrMatcher matcher(final String... ranges)
    {
        return new CidrMatcher(ranges(ranges));
    }

    private static List<CidrRange> ranges(final String... ranges)
    {
        return java.util.Arrays.stream(ranges).map(CidrRange::parse).collect(java.util.stream.Collectors.toList());
    }
}
