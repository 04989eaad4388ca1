package io.tcpproxy.protocol;

import java.nio.ByteBuffer;

/**
 * Writes PROXY protocol v1 and v2 headers at a buffer's position without allocating. The caller makes room: at most
 * {@link ProxyHeaderParser#MAX_V1_BYTES} for v1; {@link #v2Bytes} for v2. A buffer without room throws
 * {@link java.nio.BufferOverflowException} with the position possibly advanced (a programming error, not input).
 */
public final class ProxyHeaderEncoder
{
    /** v2 TLV type of the ALPN protocol the client chose. */
    public static final int PP2_TYPE_ALPN = 0x01;
    /** v2 TLV type of the host name the client asked for (SNI). */
    public static final int PP2_TYPE_AUTHORITY = 0x02;
    /** v2 TLV type of an opaque connection id. */
    public static final int PP2_TYPE_UNIQUE_ID = 0x05;
    /** v2 TLV type of a padding TLV the receiver skips. */
    public static final int PP2_TYPE_NOOP = 0x04;

    private static final byte[] TCP4 = {'T', 'C', 'P', '4', ' '};
    private static final byte[] TCP6 = {'T', 'C', 'P', '6', ' '};
    private static final byte[] UNKNOWN = {'U', 'N', 'K', 'N', 'O', 'W', 'N', '\r', '\n'};

    private ProxyHeaderEncoder()
    {
    }

    /**
     * Write a v1 line: {@code PROXY TCP4|TCP6 src dst sport dport\r\n}, or {@code PROXY UNKNOWN\r\n} when the
     * header's family has no addresses (LOCAL, UNSPEC, UNKNOWN).
     *
     * @param header the endpoints.
     * @param dst    receives at most 107 bytes at its position.
     * @return the number of bytes written.
     */
    public static int encodeV1(final ProxyHeader header, final ByteBuffer dst)
    {
        final int start = dst.position();
        dst.put(ProxyHeaderParser.V1_PREFIX);
        final ProxyHeader.Family family = header.command() == ProxyHeader.Command.LOCAL ?
            ProxyHeader.Family.UNSPEC : header.family();
        if (family == ProxyHeader.Family.TCP4)
        {
            dst.put(TCP4);
            IpLiteral.writeIpv4(header.sourceAddress(), 0, dst);
            dst.put((byte)' ');
            IpLiteral.writeIpv4(header.destinationAddress(), 0, dst);
        }
        else if (family == ProxyHeader.Family.TCP6)
        {
            dst.put(TCP6);
            IpLiteral.writeIpv6(header.sourceAddress(), 0, dst);
            dst.put((byte)' ');
            IpLiteral.writeIpv6(header.destinationAddress(), 0, dst);
        }
        else
        {
            dst.put(UNKNOWN);
            return dst.position() - start;
        }
        dst.put((byte)' ');
        IpLiteral.writeDecimal(header.sourcePort(), dst);
        dst.put((byte)' ');
        IpLiteral.writeDecimal(header.destinationPort(), dst);
        dst.put((byte)'\r').put((byte)'\n');
        return dst.position() - start;
    }

    /**
     * @param header the endpoints and saved TLVs.
     * @return the size of the v2 header {@link #encodeV2} writes for it (before any {@link #appendTlv}).
     */
    public static int v2Bytes(final ProxyHeader header)
    {
        return ProxyHeaderParser.V2_FIXED_BYTES + addressBlockBytes(header) + header.savedTlvBytes();
    }

    /**
     * Write a v2 header: PROXY with TCP over IPv4/IPv6 and the endpoints, or LOCAL/UNSPEC with no address block when
     * the header's family has no addresses; then the header's saved TLVs ({@link ProxyHeader#saveTlvs}), copied
     * through unchanged. More TLVs can follow with {@link #appendTlv}.
     *
     * @param header the endpoints and saved TLVs.
     * @param dst    receives {@link #v2Bytes} bytes at its position.
     * @return the index of the header's first byte, to pass to {@link #appendTlv}.
     */
    public static int encodeV2(final ProxyHeader header, final ByteBuffer dst)
    {
        final int start = dst.position();
        final int blockBytes = addressBlockBytes(header);
        dst.put(ProxyHeaderParser.V2_SIGNATURE);
        final boolean local = header.command() == ProxyHeader.Command.LOCAL;
        dst.put((byte)(local ? 0x20 : 0x21));
        if (blockBytes == 12)
        {
            dst.put((byte)0x11);
        }
        else if (blockBytes == 36)
        {
            dst.put((byte)0x21);
        }
        else
        {
            dst.put((byte)0x00);
        }
        dst.putShort((short)(blockBytes + header.savedTlvBytes()));
        if (blockBytes > 0)
        {
            final int addressBytes = header.addressBytes();
            dst.put(header.sourceAddress(), 0, addressBytes);
            dst.put(header.destinationAddress(), 0, addressBytes);
            dst.putShort((short)header.sourcePort());
            dst.putShort((short)header.destinationPort());
        }
        dst.put(header.savedTlvs(), 0, header.savedTlvBytes());
        return start;
    }

    /**
     * Append one TLV to the v2 header written at {@code headerStart} (which must end at the buffer's position) and
     * grow its length field.
     *
     * @param dst         the buffer holding the header.
     * @param headerStart what {@link #encodeV2} returned.
     * @param type        the TLV type, 0..255.
     * @param value       the value bytes from its position to its limit (position is not changed).
     * @throws IllegalArgumentException when the header would exceed the 16-bit length.
     */
    public static void appendTlv(final ByteBuffer dst, final int headerStart, final int type, final ByteBuffer value)
    {
        final int valueBytes = value.remaining();
        final int length = (dst.getShort(headerStart + 14) & 0xFFFF) + 3 + valueBytes;
        if (length > 0xFFFF || valueBytes > 0xFFFF)
        {
            throw new IllegalArgumentException("a v2 PROXY header holds at most 65535 bytes after its fixed part");
        }
        dst.put((byte)type);
        dst.putShort((short)valueBytes);
        dst.put(dst.position(), value, value.position(), valueBytes);
        dst.position(dst.position() + valueBytes);
        dst.putShort(headerStart + 14, (short)length);
    }

    private static int addressBlockBytes(final ProxyHeader header)
    {
        if (header.command() == ProxyHeader.Command.LOCAL)
        {
            return 0;
        }
        return header.family() == ProxyHeader.Family.TCP4 ? 12 : header.family() == ProxyHeader.Family.TCP6 ? 36 : 0;
    }
}
