package io.tcpproxy.protocol;

import java.nio.ByteBuffer;

/**
 * Reads a PROXY protocol v1 or v2 header (HAProxy's {@code doc/proxy-protocol.txt}) from the bytes received so far.
 * <p>
 * Stateless and incremental: call {@link #parse} again with the same buffer each time more bytes arrived; it reads
 * with absolute gets from the buffer's position to its limit and changes neither. The header is complete when the
 * result is {@link Status#DONE}; the client's own first bytes start {@link ProxyHeader#headerBytes()} after the
 * position. Never reads past a header's declared length (v2) or its CRLF (v1), never allocates, never guesses: bytes
 * that cannot start a header are an {@link Status#ERROR} as soon as they arrive. A v2 header is read only once all
 * of it is there, so repeated calls cost a 16-byte check until then.
 */
public final class ProxyHeaderParser
{
    /** The outcome of one call. */
    public enum Status
    {
        /** A header may still be coming: read more and call again. */
        NEED_MORE,
        /** A complete valid header; the holder is filled. */
        DONE,
        /** Not a valid header; the holder's {@link ProxyHeader#error()} says why. */
        ERROR
    }

    /** The longest v1 line, CRLF included. */
    public static final int MAX_V1_BYTES = 107;
    /** The fixed part of a v2 header. */
    public static final int V2_FIXED_BYTES = 16;
    /** The longest v2 header: the fixed part and a 16-bit length. */
    public static final int MAX_V2_BYTES = V2_FIXED_BYTES + 0xFFFF;

    static final byte[] V1_PREFIX = {'P', 'R', 'O', 'X', 'Y', ' '};
    static final byte[] V2_SIGNATURE =
        {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static final int V2_IPV4_BLOCK_BYTES = 12;
    private static final int V2_IPV6_BLOCK_BYTES = 36;
    private static final int V2_UNIX_BLOCK_BYTES = 216;
    private static final int TLV_HEADER_BYTES = 3;

    private ProxyHeaderParser()
    {
    }

    /**
     * Parse what has arrived.
     *
     * @param received the bytes from the connection's first byte (at position) to the last received (limit). A v2
     *                 header larger than {@code capacity - position} can never complete and is an ERROR.
     * @param out      filled on DONE; its error set on ERROR.
     * @return NEED_MORE, DONE or ERROR.
     */
    public static Status parse(final ByteBuffer received, final ProxyHeader out)
    {
        final int start = received.position();
        final int available = received.limit() - start;
        if (available == 0)
        {
            return Status.NEED_MORE;
        }
        final byte first = received.get(start);
        if (first == V1_PREFIX[0])
        {
            return parseV1(received, start, available, out);
        }
        if (first == V2_SIGNATURE[0])
        {
            return parseV2(received, start, available, out);
        }
        return error(out, ProxyHeaderError.BAD_SIGNATURE);
    }

    private static Status parseV1(final ByteBuffer b, final int start, final int available, final ProxyHeader out)
    {
        final int prefixBytes = Math.min(available, V1_PREFIX.length);
        for (int i = 1; i < prefixBytes; i++)
        {
            if (b.get(start + i) != V1_PREFIX[i])
            {
                return error(out, ProxyHeaderError.BAD_SIGNATURE);
            }
        }
        final int scanEnd = start + Math.min(available, MAX_V1_BYTES);
        int cr = -1;
        for (int i = start + prefixBytes; i < scanEnd; i++)
        {
            final byte c = b.get(i);
            if (c == '\r')
            {
                cr = i;
                break;
            }
            if (c < 0x20 || c > 0x7E)
            {
                return error(out, ProxyHeaderError.V1_BAD_LINE);
            }
        }
        if (cr < 0)
        {
            return available >= MAX_V1_BYTES ? error(out, ProxyHeaderError.V1_TOO_LONG) : Status.NEED_MORE;
        }
        if (cr + 1 == start + available)
        {
            return Status.NEED_MORE;
        }
        if (b.get(cr + 1) != '\n')
        {
            return error(out, ProxyHeaderError.V1_BAD_LINE);
        }
        return parseV1Line(b, start + V1_PREFIX.length, cr, cr + 2 - start, out);
    }

    private static Status parseV1Line(final ByteBuffer b, final int from, final int end, final int headerBytes,
        final ProxyHeader out)
    {
        final int protocolEnd = indexOfSpace(b, from, end);
        final ProxyHeader.Family family;
        if (equalsAscii(b, from, protocolEnd, "UNKNOWN"))
        {
            // The receiver ignores whatever follows UNKNOWN up to the CRLF.
            out.setParsed(1, ProxyHeader.Command.PROXY, ProxyHeader.Family.UNKNOWN, headerBytes);
            out.setPorts(0, 0);
            out.setTlvRegion(from, 0);
            return Status.DONE;
        }
        if (equalsAscii(b, from, protocolEnd, "TCP4"))
        {
            family = ProxyHeader.Family.TCP4;
        }
        else if (equalsAscii(b, from, protocolEnd, "TCP6"))
        {
            family = ProxyHeader.Family.TCP6;
        }
        else
        {
            return error(out, ProxyHeaderError.V1_BAD_PROTOCOL);
        }
        if (protocolEnd == end)
        {
            return error(out, ProxyHeaderError.V1_BAD_LINE);
        }
        final int sourceFrom = protocolEnd + 1;
        final int sourceEnd = indexOfSpace(b, sourceFrom, end);
        final int destinationFrom = sourceEnd + 1;
        final int destinationEnd = indexOfSpace(b, destinationFrom, end);
        final int sourcePortFrom = destinationEnd + 1;
        final int sourcePortEnd = indexOfSpace(b, sourcePortFrom, end);
        final int destinationPortFrom = sourcePortEnd + 1;
        if (sourceEnd >= end || destinationEnd >= end || sourcePortEnd >= end ||
            indexOfSpace(b, destinationPortFrom, end) != end)
        {
            return error(out, ProxyHeaderError.V1_BAD_LINE);
        }
        final boolean addressesValid = family == ProxyHeader.Family.TCP4 ?
            IpLiteral.parseIpv4(b, sourceFrom, sourceEnd, out.sourceAddress(), 0) &&
                IpLiteral.parseIpv4(b, destinationFrom, destinationEnd, out.destinationAddress(), 0) :
            IpLiteral.parseIpv6(b, sourceFrom, sourceEnd, out.sourceAddress(), 0) &&
                IpLiteral.parseIpv6(b, destinationFrom, destinationEnd, out.destinationAddress(), 0);
        if (!addressesValid)
        {
            return error(out, ProxyHeaderError.V1_BAD_ADDRESS);
        }
        final int sourcePort = parsePort(b, sourcePortFrom, sourcePortEnd);
        final int destinationPort = parsePort(b, destinationPortFrom, end);
        if (sourcePort < 0 || destinationPort < 0)
        {
            return error(out, ProxyHeaderError.V1_BAD_PORT);
        }
        out.setParsed(1, ProxyHeader.Command.PROXY, family, headerBytes);
        out.setPorts(sourcePort, destinationPort);
        out.setTlvRegion(end, 0);
        return Status.DONE;
    }

    private static Status parseV2(final ByteBuffer b, final int start, final int available, final ProxyHeader out)
    {
        final int signatureBytes = Math.min(available, V2_SIGNATURE.length);
        for (int i = 1; i < signatureBytes; i++)
        {
            if (b.get(start + i) != V2_SIGNATURE[i])
            {
                return error(out, ProxyHeaderError.BAD_SIGNATURE);
            }
        }
        if (available <= 12)
        {
            return Status.NEED_MORE;
        }
        final int versionCommand = b.get(start + 12) & 0xFF;
        if ((versionCommand >>> 4) != 2)
        {
            return error(out, ProxyHeaderError.V2_BAD_VERSION);
        }
        final int commandBits = versionCommand & 0x0F;
        if (commandBits > 1)
        {
            return error(out, ProxyHeaderError.V2_BAD_COMMAND);
        }
        if (available <= 13)
        {
            return Status.NEED_MORE;
        }
        final int familyTransport = b.get(start + 13) & 0xFF;
        final int addressFamily = familyTransport >>> 4;
        final int transport = familyTransport & 0x0F;
        if (addressFamily > 3 || transport > 2)
        {
            return error(out, ProxyHeaderError.V2_BAD_FAMILY);
        }
        if (available < V2_FIXED_BYTES)
        {
            return Status.NEED_MORE;
        }
        final int length = b.getShort(start + 14) & 0xFFFF;
        final int headerBytes = V2_FIXED_BYTES + length;
        if (headerBytes > b.capacity() - start)
        {
            return error(out, ProxyHeaderError.V2_TOO_LARGE);
        }
        if (available < headerBytes)
        {
            return Status.NEED_MORE;
        }
        final int blockStart = start + V2_FIXED_BYTES;
        final int headerEnd = start + headerBytes;
        if (commandBits == 0)
        {
            // LOCAL: the receiver discards the address block and uses the socket's own endpoints.
            out.setParsed(2, ProxyHeader.Command.LOCAL, ProxyHeader.Family.UNSPEC, headerBytes);
            out.setPorts(0, 0);
            out.setTlvRegion(headerEnd, 0);
            return Status.DONE;
        }
        final int addressBlockBytes;
        final ProxyHeader.Family family;
        switch (addressFamily)
        {
            case 0:
                addressBlockBytes = 0;
                family = ProxyHeader.Family.UNSPEC;
                break;
            case 1:
                addressBlockBytes = V2_IPV4_BLOCK_BYTES;
                family = transport == 1 ? ProxyHeader.Family.TCP4 : ProxyHeader.Family.UNKNOWN;
                break;
            case 2:
                addressBlockBytes = V2_IPV6_BLOCK_BYTES;
                family = transport == 1 ? ProxyHeader.Family.TCP6 : ProxyHeader.Family.UNKNOWN;
                break;
            default:
                addressBlockBytes = V2_UNIX_BLOCK_BYTES;
                family = ProxyHeader.Family.UNKNOWN;
                break;
        }
        if (length < addressBlockBytes)
        {
            return error(out, ProxyHeaderError.V2_ADDRESS_TRUNCATED);
        }
        final int tlvStart = blockStart + addressBlockBytes;
        for (int tlv = tlvStart; tlv < headerEnd; )
        {
            if (headerEnd - tlv < TLV_HEADER_BYTES)
            {
                return error(out, ProxyHeaderError.V2_TLV_OVERRUN);
            }
            final int valueBytes = b.getShort(tlv + 1) & 0xFFFF;
            if (valueBytes > headerEnd - tlv - TLV_HEADER_BYTES)
            {
                return error(out, ProxyHeaderError.V2_TLV_OVERRUN);
            }
            tlv += TLV_HEADER_BYTES + valueBytes;
        }
        final int addressBytes = family == ProxyHeader.Family.TCP4 ? 4 : family == ProxyHeader.Family.TCP6 ? 16 : 0;
        if (addressBytes > 0)
        {
            b.get(blockStart, out.sourceAddress(), 0, addressBytes);
            b.get(blockStart + addressBytes, out.destinationAddress(), 0, addressBytes);
            out.setPorts(b.getShort(blockStart + 2 * addressBytes) & 0xFFFF,
                b.getShort(blockStart + 2 * addressBytes + 2) & 0xFFFF);
        }
        else
        {
            out.setPorts(0, 0);
        }
        out.setParsed(2, ProxyHeader.Command.PROXY, family, headerBytes);
        out.setTlvRegion(tlvStart, headerEnd - tlvStart);
        return Status.DONE;
    }

    private static int parsePort(final ByteBuffer b, final int from, final int end)
    {
        final int digits = end - from;
        if (digits < 1 || digits > 5 || (digits > 1 && b.get(from) == '0'))
        {
            return -1;
        }
        int value = 0;
        for (int i = from; i < end; i++)
        {
            final int c = b.get(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value > 0xFFFF ? -1 : value;
    }

    private static int indexOfSpace(final ByteBuffer b, final int from, final int end)
    {
        for (int i = from; i < end; i++)
        {
            if (b.get(i) == ' ')
            {
                return i;
            }
        }
        return end;
    }

    private static boolean equalsAscii(final ByteBuffer b, final int from, final int end, final String text)
    {
        if (end - from != text.length())
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (b.get(from + i) != text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static Status error(final ProxyHeader out, final ProxyHeaderError error)
    {
        out.setError(error);
        return Status.ERROR;
    }
}
