package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpLiteralTest
{
    @Test
    void shouldParseIpv6FormsAsTheJdkDoes() throws Exception
    {
        for (final String text : new String[] {"::", "::1", "1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8", "2001:DB8::a:B", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4",
            "fe80::1:0:0:0", "0:0:0:0:0:0:0:0"})
        {
            final byte[] parsed = new byte[16];
            assertTrue(IpLiteral.parseIpv6(ascii(text), 0, text.length(), parsed, 0), text);
            final byte[] expected = InetAddress.getByName(text).getAddress();
            if (expected.length == 4)
            {
                // the JDK folds IPv4-mapped addresses to IPv4
                assertArrayEquals(expected, Arrays.copyOfRange(parsed, 12, 16), text);
            }
            else
            {
                assertArrayEquals(expected, parsed, text);
            }
            // written back and parsed again: the same bytes
            final ByteBuffer written = ByteBuffer.allocate(IpLiteral.MAX_IPV6_TEXT_BYTES);
            IpLiteral.writeIpv6(parsed, 0, written);
            final byte[] again = new byte[16];
            assertTrue(IpLiteral.parseIpv6(written.flip(), 0, written.limit(), again, 0), text);
            assertArrayEquals(parsed, again, text);
        }
    }

    @Test
    void shouldRejectMalformedIpv6() throws Exception
    {
        for (final String text : new String[] {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1::",
            "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7", ":1::", "1:", "::1.2.3", "1.2.3.4", "::1.2.3.4:5",
            "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%1", " ::1"})
        {
            assertFalse(IpLiteral.parseIpv6(ascii(text), 0, text.length(), new byte[16], 0), text);
        }
    }

    @Test
    void shouldWriteRfc5952Text()
    {
        assertEquals("2001:db8::1", ipv6("2001:db8:0:0:0:0:0:1"));
        assertEquals("2001:db8:0:1:1:1:1:1", ipv6("2001:db8:0:1:1:1:1:1"), "a single zero group is not compressed");
        assertEquals("2001:0:0:1::1", ipv6("2001:0:0:1:0:0:0:1"), "the longest run");
        assertEquals("2001:db8::1:0:0:1", ipv6("2001:db8:0:0:1:0:0:1"), "the first of equal runs");
        assertEquals("::", ipv6("::"));
    }

    private static String ipv6(final String text)
    {
        final byte[] parsed = new byte[16];
        assertTrue(IpLiteral.parseIpv6(ascii(text), 0, text.length(), parsed, 0), text);
        final ByteBuffer written = ByteBuffer.allocate(IpLiteral.MAX_IPV6_TEXT_BYTES);
        IpLiteral.writeIpv6(parsed, 0, written);
        return new String(written.array(), 0, written.position(), StandardCharsets.US_ASCII);
    }

    private static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
