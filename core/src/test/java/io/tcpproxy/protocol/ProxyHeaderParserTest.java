package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.tcpproxy.protocol.ProxyHeaderParser.Status.DONE;
import static io.tcpproxy.protocol.ProxyHeaderParser.Status.ERROR;
import static io.tcpproxy.protocol.ProxyHeaderParser.Status.NEED_MORE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Headers written by hand from the examples and field definitions in HAProxy's doc/proxy-protocol.txt.
 */
class ProxyHeaderParserTest
{
    private final ProxyHeader header = new ProxyHeader();

    @Test
    void shouldParseV1Tcp4AndLeaveTheClientBytesAfterIt() throws Exception
    {
        final ByteBuffer b = ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        assertEquals(DONE, ProxyHeaderParser.parse(b, header));
        assertTcp4From56324To443(1);
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".length(), header.headerBytes());
        assertEquals('G', b.get(header.headerBytes()));
        assertEquals(0, b.position(), "the parser leaves the position alone");
    }

    @Test
    void shouldParseTheLongestV1LineOf107Bytes()
    {
        // the spec's worst case: UNKNOWN followed by two full IPv6 addresses and ports
        final String longest = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"
            .replace("ffff:f...f:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assertEquals(ProxyHeaderParser.MAX_V1_BYTES, longest.length());
        assertEquals(DONE, ProxyHeaderParser.parse(ascii(longest), header));
        assertEquals(ProxyHeader.Family.UNKNOWN, header.family());
        assertEquals(107, header.headerBytes());
        final String tcp6 = longest.replace("UNKNOWN", "TCP6");
        assertEquals(DONE, ProxyHeaderParser.parse(ascii(tcp6), header));
        assertEquals(ProxyHeader.Family.TCP6, header.family());
        assertEquals(65535, header.sourcePort());
        assertEquals(104, header.headerBytes());
    }

    @Test
    void shouldParseV1Tcp6WithCompressedAndMappedForms() throws Exception
    {
        assertEquals(DONE, ProxyHeaderParser.parse(ascii("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 1 65535\r\n"), header));
        assertEquals(ProxyHeader.Family.TCP6, header.family());
        assertArrayEquals(InetAddress.getByName("2001:db8::1").getAddress(), java.util.Arrays.copyOf(
            header.sourceAddress(), 16));
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xFF;
        mapped[11] = (byte)0xFF;
        mapped[12] = 10;
        mapped[15] = 1;
        assertArrayEquals(mapped, header.destinationAddress());
        assertEquals(1, header.sourcePort());
        assertEquals(65535, header.destinationPort());
        assertEquals(DONE, ProxyHeaderParser.parse(ascii("PROXY TCP6 ::1 :: 0 0\r\n"), header));
        assertEquals(InetAddress.getByName("::1"), header.sourceInetAddress());
    }

    @Test
    void shouldParseV1UnknownIgnoringTheRestOfTheLine()
    {
        assertEquals(DONE, ProxyHeaderParser.parse(ascii("PROXY UNKNOWN\r\nX"), header));
        assertEquals(ProxyHeader.Family.UNKNOWN, header.family());
        assertEquals(15, header.headerBytes());
        assertEquals(DONE, ProxyHeaderParser.parse(ascii("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"), header));
        assertEquals(ProxyHeader.Family.UNKNOWN, header.family());
        assertEquals(0, header.addressBytes());
    }

    @Test
    void shouldWaitForTheRestOfAV1Line()
    {
        final String line = "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n";
        for (int i = 0; i < line.length(); i++)
        {
            assertEquals(NEED_MORE, ProxyHeaderParser.parse(ascii(line.substring(0, i)), header), line.substring(0, i));
        }
        assertEquals(DONE, ProxyHeaderParser.parse(ascii(line), header));
    }

    @Test
    void shouldRejectMalformedV1Lines()
    {
        assertError("GET / HTTP/1.1\r\n", ProxyHeaderError.BAD_SIGNATURE);
        assertError("PROXI", ProxyHeaderError.BAD_SIGNATURE);
        assertError("proxy TCP4", ProxyHeaderError.BAD_SIGNATURE);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_PROTOCOL);
        assertError("PROXY TCP4\r\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", ProxyHeaderError.V1_BAD_LINE);
        assertError("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP4 ::1 5.6.7.8 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP6 1::2::3 ::1 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP6 12345::1 ::1 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", ProxyHeaderError.V1_BAD_ADDRESS);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", ProxyHeaderError.V1_BAD_PORT);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", ProxyHeaderError.V1_BAD_PORT);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", ProxyHeaderError.V1_BAD_PORT);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", ProxyHeaderError.V1_BAD_PORT);
        assertError("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\u0000\r\n", ProxyHeaderError.V1_BAD_LINE);
    }

    @Test
    void shouldRejectAV1LineWithoutCrlfWithin107Bytes()
    {
        final String longLine = "PROXY UNKNOWN " + "x".repeat(200);
        assertEquals(NEED_MORE, ProxyHeaderParser.parse(ascii(longLine.substring(0, 106)), header));
        assertError(longLine.substring(0, 107), ProxyHeaderError.V1_TOO_LONG);
        assertError(longLine, ProxyHeaderError.V1_TOO_LONG);
        // the CR as byte 107 is one too many: the LF would be byte 108
        assertError(longLine.substring(0, 107) + "\r\n", ProxyHeaderError.V1_TOO_LONG);
        assertEquals(DONE, ProxyHeaderParser.parse(ascii(longLine.substring(0, 105) + "\r\n"), header));
    }

    @Test
    void shouldParseV2ProxyTcp4WithoutTlvs() throws Exception
    {
        final ByteBuffer b = v2(0x21, 0x11, bytes(192, 168, 0, 1, 192, 168, 0, 11, 0xDC, 0x04, 0x01, 0xBB), bytes());
        b.limit(b.limit() + 2).put(b.limit() - 2, (byte)'h').put(b.limit() - 1, (byte)'i');
        assertEquals(DONE, ProxyHeaderParser.parse(b, header));
        assertTcp4From56324To443(2);
        assertEquals(28, header.headerBytes());
        assertEquals(0, header.tlvBytes());
        assertEquals('h', b.get(header.headerBytes()));
    }

    @Test
    void shouldParseV2ProxyTcp6WithTlvs() throws Exception
    {
        final byte[] block = new byte[36];
        System.arraycopy(InetAddress.getByName("2001:db8::1").getAddress(), 0, block, 0, 16);
        System.arraycopy(InetAddress.getByName("::1").getAddress(), 0, block, 16, 16);
        block[32] = 0x30;
        block[33] = 0x39;
        block[34] = 0x00;
        block[35] = 0x50;
        final byte[] tlvs = concat(tlv(0x01, "h2"), tlv(0x02, "example.com"), tlv(0x04, ""), tlv(0x05, "id-1"));
        final ByteBuffer b = v2(0x21, 0x21, block, tlvs);
        assertEquals(DONE, ProxyHeaderParser.parse(b, header));
        assertEquals(ProxyHeader.Family.TCP6, header.family());
        assertEquals(InetAddress.getByName("2001:db8::1"), header.sourceInetAddress());
        assertEquals(InetAddress.getByName("::1"), header.destinationInetAddress());
        assertEquals(12345, header.sourcePort());
        assertEquals(80, header.destinationPort());
        assertEquals(16 + 36 + tlvs.length, header.headerBytes());
        assertEquals(16 + 36, header.tlvOffset());
        assertEquals(tlvs.length, header.tlvBytes());
        header.saveTlvs(b);
        assertArrayEquals(tlvs, java.util.Arrays.copyOf(header.savedTlvs(), header.savedTlvBytes()));
        // the holder reused for the next connection never carries these TLVs on
        assertEquals(DONE, ProxyHeaderParser.parse(ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"), header));
        assertEquals(0, header.savedTlvBytes());
        final ByteBuffer out = ByteBuffer.allocate(128);
        ProxyHeaderEncoder.encodeV2(header, out);
        assertEquals(16 + 12, out.position());
    }

    @Test
    void shouldParseV2LocalIgnoringItsAddressBlock()
    {
        assertEquals(DONE, ProxyHeaderParser.parse(v2(0x20, 0x00, bytes(), bytes()), header));
        assertEquals(ProxyHeader.Command.LOCAL, header.command());
        assertEquals(ProxyHeader.Family.UNSPEC, header.family());
        assertEquals(16, header.headerBytes());
        assertEquals(DONE, ProxyHeaderParser.parse(v2(0x20, 0x11, bytes(1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2),
            bytes()), header));
        assertEquals(ProxyHeader.Command.LOCAL, header.command());
        assertEquals(0, header.addressBytes());
        assertEquals(28, header.headerBytes());
    }

    @Test
    void shouldParseV2ProxyUnspecAndUnsupportedFamiliesAsUseTheSocket()
    {
        assertEquals(DONE, ProxyHeaderParser.parse(v2(0x21, 0x00, bytes(), tlv(0x04, "pad")), header));
        assertEquals(ProxyHeader.Family.UNSPEC, header.family());
        assertEquals(6, header.tlvBytes());
        assertEquals(DONE, ProxyHeaderParser.parse(v2(0x21, 0x12, new byte[12], bytes()), header));
        assertEquals(ProxyHeader.Family.UNKNOWN, header.family(), "UDP over IPv4");
        assertEquals(DONE, ProxyHeaderParser.parse(v2(0x21, 0x31, new byte[216], bytes()), header));
        assertEquals(ProxyHeader.Family.UNKNOWN, header.family(), "UNIX stream");
        assertEquals(16 + 216, header.headerBytes());
    }

    @Test
    void shouldWaitForTheWholeV2HeaderIncludingTlvs()
    {
        final ByteBuffer full = v2(0x21, 0x11, new byte[12], tlv(0x05, "abc"));
        for (int i = 0; i < full.limit(); i++)
        {
            final ByteBuffer prefix = full.duplicate().limit(i);
            assertEquals(NEED_MORE, ProxyHeaderParser.parse(prefix, header), "prefix of " + i);
        }
        assertEquals(DONE, ProxyHeaderParser.parse(full, header));
    }

    @Test
    void shouldRejectMalformedV2Headers()
    {
        final ByteBuffer badSignature = v2(0x21, 0x11, new byte[12], bytes());
        badSignature.put(11, (byte)0x0B);
        assertV2Error(badSignature, ProxyHeaderError.BAD_SIGNATURE);
        assertV2Error(v2(0x11, 0x11, new byte[12], bytes()), ProxyHeaderError.V2_BAD_VERSION);
        assertV2Error(v2(0x22, 0x11, new byte[12], bytes()), ProxyHeaderError.V2_BAD_COMMAND);
        assertV2Error(v2(0x21, 0x41, new byte[12], bytes()), ProxyHeaderError.V2_BAD_FAMILY);
        assertV2Error(v2(0x21, 0x13, new byte[12], bytes()), ProxyHeaderError.V2_BAD_FAMILY);
        assertV2Error(v2(0x21, 0x11, new byte[11], bytes()), ProxyHeaderError.V2_ADDRESS_TRUNCATED);
        assertV2Error(v2(0x21, 0x21, new byte[12], bytes()), ProxyHeaderError.V2_ADDRESS_TRUNCATED);
        assertV2Error(v2(0x21, 0x11, new byte[12], bytes(0x01, 0x00, 0x03, 'h', '2')),
            ProxyHeaderError.V2_TLV_OVERRUN);
        assertV2Error(v2(0x21, 0x11, new byte[12], bytes(0x01, 0x00)), ProxyHeaderError.V2_TLV_OVERRUN);
        // the early bytes tell: no need to wait for the rest
        assertV2Error(ByteBuffer.wrap(bytes(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            0x31)), ProxyHeaderError.V2_BAD_VERSION);
        assertV2Error(ByteBuffer.wrap(bytes(0x0D, 0x0A, 0x0D, 0x0A, 0x01)), ProxyHeaderError.BAD_SIGNATURE);
    }

    @Test
    void shouldNotReadPastTheDeclaredLengthWhenItExceedsTheBufferOrTheData()
    {
        // a length past the bytes received: wait (the preamble's timeout ends it), reading nothing past the limit
        final ByteBuffer truncated = v2(0x21, 0x11, new byte[12], tlv(0x05, "abcdef"));
        truncated.limit(truncated.limit() - 1);
        assertEquals(NEED_MORE, ProxyHeaderParser.parse(truncated, header));
        // a length that can never fit in the receive buffer: an error at once
        final ByteBuffer small = ByteBuffer.allocate(64);
        small.put(v2(0x21, 0x11, new byte[12], bytes()).array(), 0, 14).putShort((short)100).flip();
        assertEquals(ERROR, ProxyHeaderParser.parse(small, header));
        assertEquals(ProxyHeaderError.V2_TOO_LARGE, header.error());
    }

    @Test
    void shouldParseFromADirectBufferAtANonZeroPosition()
    {
        final byte[] line = "xxPROXY TCP4 10.0.0.1 10.0.0.2 1000 2000\r\nrest".getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer direct = ByteBuffer.allocateDirect(256);
        direct.put(line).flip().position(2);
        assertEquals(DONE, ProxyHeaderParser.parse(direct, header));
        assertEquals(1000, header.sourcePort());
        assertEquals('r', direct.get(2 + header.headerBytes()));
    }

    private void assertError(final String text, final ProxyHeaderError expected)
    {
        assertEquals(ERROR, ProxyHeaderParser.parse(ascii(text), header), text);
        assertEquals(expected, header.error(), text);
    }

    private void assertV2Error(final ByteBuffer b, final ProxyHeaderError expected)
    {
        assertEquals(ERROR, ProxyHeaderParser.parse(b, header));
        assertEquals(expected, header.error());
    }

    static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static ByteBuffer v2(final int versionCommand, final int familyTransport, final byte[] block, final byte[] tlvs)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ProxyHeaderParser.V2_SIGNATURE);
        out.write(versionCommand);
        out.write(familyTransport);
        final int length = block.length + tlvs.length;
        out.write(length >>> 8);
        out.write(length & 0xFF);
        out.writeBytes(block);
        out.writeBytes(tlvs);
        final byte[] header = out.toByteArray();
        // room after the header for client bytes a test may add
        final ByteBuffer b = ByteBuffer.allocate(header.length + 64);
        b.put(header).flip();
        return b;
    }

    static byte[] tlv(final int type, final String value)
    {
        final byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        final byte[] t = new byte[3 + v.length];
        t[0] = (byte)type;
        t[1] = (byte)(v.length >>> 8);
        t[2] = (byte)v.length;
        System.arraycopy(v, 0, t, 3, v.length);
        return t;
    }

    static byte[] bytes(final int... values)
    {
        final byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            b[i] = (byte)values[i];
        }
        return b;
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The header parsed is a PROXY command for TCP4, 192.168.0.1:56324 to 192.168.0.11:443. */
    private void assertTcp4From56324To443(final int version) throws Exception
    {
        assertEquals(version, header.version());
        assertEquals(ProxyHeader.Command.PROXY, header.command());
        assertEquals(ProxyHeader.Family.TCP4, header.family());
        assertEquals(InetAddress.getByName("192.168.0.1"), header.sourceInetAddress());
        assertEquals(InetAddress.getByName("192.168.0.11"), header.destinationInetAddress());
        assertEquals(56324, header.sourcePort());
        assertEquals(443, header.destinationPort());
    }
}
