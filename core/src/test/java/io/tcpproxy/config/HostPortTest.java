package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPortTest
{
    @Test
    void shouldParseHostAndPort()
    {
        final HostPort address = HostPort.parse(" 127.0.0.1:3000 ");

        assertEquals("127.0.0.1", address.host());
        assertEquals(3000, address.port());
        assertEquals("127.0.0.1:3000", address.toString());
    }

    @Test
    void shouldKeepAHostNameUnresolved()
    {
        final HostPort address = HostPort.parse("db.example.com:5432");

        assertEquals("db.example.com", address.host());
        assertEquals("db.example.com:5432", address.toString());
    }

    @Test
    void shouldParseBracketedIpv6AndWriteItBack()
    {
        final HostPort address = HostPort.parse("[::1]:9090");

        assertEquals("::1", address.host());
        assertEquals(9090, address.port());
        assertEquals("[::1]:9090", address.toString());
        assertEquals(address, HostPort.parse(address.toString()));
    }

    @Test
    void shouldAcceptPortZeroAndTheHighestPort()
    {
        assertEquals(0, HostPort.parse("0.0.0.0:0").port());
        assertEquals(65535, HostPort.parse("h:65535").port());
    }

    @Test
    void shouldSayWhatIsExpected()
    {
        assertError("expected HOST:PORT, e.g. 127.0.0.1:3000, got an empty string", "");
        assertError("expected HOST:PORT, e.g. 127.0.0.1:3000, got \"localhost\"", "localhost");
        assertError("expected HOST:PORT, e.g. 127.0.0.1:3000, got \"::1:80\"", "::1:80");
        assertError("expected HOST:PORT, e.g. 127.0.0.1:3000, got \":80\"", ":80");
        assertError("expected [IPv6]:PORT, e.g. [::1]:3000, got \"[::1\"", "[::1");
        assertError("expected [IPv6]:PORT, e.g. [::1]:3000, got \"[::1]80\"", "[::1]80");
        assertError("expected a port number 0-65535 after the colon, got \"http\" in \"h:http\"", "h:http");
        assertError("port must be 0-65535, got 65536 in \"h:65536\"", "h:65536");
        assertError("port must be 0-65535, got -1 in \"h:-1\"", "h:-1");
    }

    @Test
    void shouldBuildFromParts()
    {
        assertEquals(HostPort.parse("10.0.0.1:80"), HostPort.of("10.0.0.1", 80));
        assertEquals(HostPort.parse("10.0.0.1:80").hashCode(), HostPort.of("10.0.0.1", 80).hashCode());
        assertNotEquals(HostPort.of("10.0.0.1", 80), HostPort.of("10.0.0.1", 81));
        assertThrows(IllegalArgumentException.class, () -> HostPort.of("h", 70000));
        assertThrows(NullPointerException.class, () -> HostPort.of(null, 1));
    }

    @Test
    void shouldFormatSocketAddresses() throws UnknownHostException
    {
        assertEquals("127.0.0.1:80", HostPort.format(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80)));
        assertEquals("[0:0:0:0:0:0:0:1]:80", HostPort.format(new InetSocketAddress(InetAddress.getByName("::1"), 80)));
        assertEquals("unresolved.invalid:1",
            HostPort.format(InetSocketAddress.createUnresolved("unresolved.invalid", 1)));
    }

    @Test
    void shouldResolveALiteralWithoutDns()
    {
        final InetSocketAddress resolved = HostPort.parse("127.0.0.1:8081").resolve();

        assertEquals(8081, resolved.getPort());
        assertEquals("127.0.0.1", resolved.getAddress().getHostAddress());
    }

    @Test
    void shouldTellIpLiteralsFromNames()
    {
        for (final String literal : new String[]{ "127.0.0.1", "10.0.0.255", "0.0.0.0", "::1", "2001:db8::5" })
        {
            assertTrue(HostPort.isLiteralIp(literal), literal);
        }
        for (final String name : new String[]{
            "localhost", "backend.internal", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3", "1234.1.1.1", "1.2.3.a", "" })
        {
            assertFalse(HostPort.isLiteralIp(name), name);
        }
    }

    private static void assertError(final String message, final String text)
    {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text)).getMessage());
    }
}
