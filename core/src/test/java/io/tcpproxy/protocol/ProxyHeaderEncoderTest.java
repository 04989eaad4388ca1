package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProxyHeaderEncoderTest
{
    private final ByteBuffer out = ByteBuffer.allocate(512);

    @Test
    void shouldWriteV1LinesAsTheSpecShowsThem() throws Exception
    {
        final ProxyHeader header = new ProxyHeader().setAddresses(
            new InetSocketAddress(InetAddress.getByName("192.168.0.1"), 56324),
            new InetSocketAddress(InetAddress.getByName("192.168.0.11"), 443));
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", v1(header));
        header.clear().setAddresses(InetAddress.getByName("2001:db8:0:0:1:0:0:1").getAddress(), 0,
            InetAddress.getByName("::1").getAddress(), 65535);
        assertEquals("PROXY TCP6 2001:db8::1:0:0:1 ::1 0 65535\r\n", v1(header), "RFC 5952: the first longest run");
        header.clear().setAddresses(new byte[] {10, 0, 0, 1}, 1, InetAddress.getByName("2001:db8::2").getAddress(), 2);
        assertEquals("PROXY TCP6 ::ffff:a00:1 2001:db8::2 1 2\r\n", v1(header), "mixed families: IPv4-mapped");
        header.clear().setLocal();
        assertEquals("PROXY UNKNOWN\r\n", v1(header));
        final byte[] all = new byte[16];
        Arrays.fill(all, (byte)0xFF);
        header.clear().setAddresses(all, 65535, all, 65535);
        assertEquals(104, ProxyHeaderEncoder.encodeV1(header, out.clear()));
    }

    @Test
    void shouldWriteV2ExactlyAsHaproxyDoes()
    {
        // what HAProxy's send-proxy-v2 sent for 172.19.0.1:42578 -> 172.19.0.3:80 (bytes as captured)
        final byte[] expected = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            0x21, 0x11, 0x00, 0x0C, (byte)0xAC, 0x13, 0x00, 0x01, (byte)0xAC, 0x13, 0x00, 0x03, (byte)0xA6, 0x52,
            0x00, 0x50};
        final ProxyHeader header = new ProxyHeader().setAddresses(new byte[] {(byte)172, 19, 0, 1}, 0xA652,
            new byte[] {(byte)172, 19, 0, 3}, 80);
        assertEquals(expected.length, ProxyHeaderEncoder.v2Bytes(header));
        assertEquals(0, ProxyHeaderEncoder.encodeV2(header, out.clear()));
        assertArrayEquals(expected, Arrays.copyOf(out.array(), out.position()));
    }

    @Test
    void shouldWriteV2LocalAndAppendTlvs()
    {
        final ProxyHeader header = new ProxyHeader().setLocal();
        out.clear().position(3);
        final int start = ProxyHeaderEncoder.encodeV2(header, out);
        assertEquals(3, start);
        assertEquals(19, out.position());
        assertEquals(0x20, out.get(15));
        assertEquals(0x00, out.get(16));
        ProxyHeaderEncoder.appendTlv(out, start, ProxyHeaderEncoder.PP2_TYPE_AUTHORITY,
            ByteBuffer.wrap("example.com".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(14, out.getShort(start + 14));
        final ProxyHeader parsed = new ProxyHeader();
        assertEquals(ProxyHeaderParser.Status.DONE, ProxyHeaderParser.parse(out.flip().position(3), parsed));
        assertEquals(ProxyHeader.Command.LOCAL, parsed.command());
        assertEquals(16 + 14, parsed.headerBytes());
    }

    @Test
    void shouldRefuseBadInputFromTheCaller()
    {
        final ProxyHeader header = new ProxyHeader();
        assertThrows(IllegalArgumentException.class, () -> header.setAddresses(new byte[5], 1, new byte[4], 1));
        assertThrows(IllegalArgumentException.class, () -> header.setAddresses(new byte[4], 65536, new byte[4], 1));
        header.setAddresses(new byte[4], 1, new byte[4], 2);
        final ByteBuffer nearlyFull = ByteBuffer.allocate(ProxyHeaderEncoder.v2Bytes(header));
        final int start = ProxyHeaderEncoder.encodeV2(header, nearlyFull);
        assertThrows(java.nio.BufferOverflowException.class, () -> ProxyHeaderEncoder.appendTlv(nearlyFull, start,
            ProxyHeaderEncoder.PP2_TYPE_NOOP, ByteBuffer.allocate(0)));
    }

    private String v1(final ProxyHeader header)
    {
        final int written = ProxyHeaderEncoder.encodeV1(header, out.clear());
        return new String(out.array(), 0, written, StandardCharsets.US_ASCII);
    }
}
