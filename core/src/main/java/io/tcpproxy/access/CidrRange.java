package io.tcpproxy.access;

import io.tcpproxy.protocol.IpLiteral;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One IPv4 or IPv6 address range: an address and a prefix length, host bits cleared. A single address is a range
 * of /32 (IPv4) or /128 (IPv6). Immutable.
 */
public final class CidrRange
{
    private final byte[] address;
    private final int prefixBits;

    /**
     * @param address    4 or 16 bytes (copied; bits past the prefix are cleared).
     * @param prefixBits 0..32 for IPv4, 0..128 for IPv6.
     * @throws IllegalArgumentException on another address length or a prefix out of range.
     */
    public CidrRange(final byte[] address, final int prefixBits)
    {
        if (address == null || (address.length != 4 && address.length != 16))
        {
            throw new IllegalArgumentException("a CIDR address has 4 (IPv4) or 16 (IPv6) bytes, got " +
                (address == null ? "null" : address.length + " bytes"));
        }
        if (prefixBits < 0 || prefixBits > address.length * 8)
        {
            throw new IllegalArgumentException("a CIDR prefix for an " + (address.length == 4 ? "IPv4" : "IPv6") +
                " address is 0.." + address.length * 8 + ", got /" + prefixBits);
        }
        this.address = address.clone();
        this.prefixBits = prefixBits;
        for (int bit = prefixBits; bit < address.length * 8; bit++)
        {
            this.address[bit >>> 3] &= (byte)~(0x80 >>> (bit & 7));
        }
    }

    /**
     * Parse {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code ::1}, {@code 2001:db8::/32}. Host bits past the prefix
     * are ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
     *
     * @param text the range as written in the configuration.
     * @return the range.
     * @throws IllegalArgumentException saying what is expected when the text does not parse.
     */
    public static CidrRange parse(final String text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException(expected("null"));
        }
        final String trimmed = text.trim();
        final int slash = trimmed.indexOf('/');
        final String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        final ByteBuffer ascii = ByteBuffer.wrap(addressText.getBytes(StandardCharsets.ISO_8859_1));
        final byte[] address;
        if (addressText.indexOf(':') >= 0)
        {
            address = new byte[16];
            if (!IpLiteral.parseIpv6(ascii, 0, ascii.limit(), address, 0))
            {
                throw new IllegalArgumentException(expected(text));
            }
        }
        else
        {
            address = new byte[4];
            if (!IpLiteral.parseIpv4(ascii, 0, ascii.limit(), address, 0))
            {
                throw new IllegalArgumentException(expected(text));
            }
        }
        int prefixBits = address.length * 8;
        if (slash >= 0)
        {
            final String prefixText = trimmed.substring(slash + 1);
            if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(Character::isDigit))
            {
                throw new IllegalArgumentException(expected(text));
            }
            prefixBits = Integer.parseInt(prefixText);
            if (prefixBits > address.length * 8)
            {
                throw new IllegalArgumentException("the prefix of \"" + text + "\" is larger than /" +
                    address.length * 8 + ", the length of an " + (address.length == 4 ? "IPv4" : "IPv6") +
                    " address");
            }
        }
        return new CidrRange(address, prefixBits);
    }

    /** @return a copy of the network address, 4 or 16 bytes. */
    public byte[] address()
    {
        return address.clone();
    }

    /** @return the prefix length in bits. */
    public int prefixBits()
    {
        return prefixBits;
    }

    /** @return true for an IPv4 range. */
    public boolean isIpv4()
    {
        return address.length == 4;
    }

    byte[] addressBytes()
    {
        return address;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CidrRange && prefixBits == ((CidrRange)other).prefixBits &&
            Arrays.equals(address, ((CidrRange)other).address);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(address) * 31 + prefixBits;
    }

    @Override
    public String toString()
    {
        final ByteBuffer text = ByteBuffer.allocate(IpLiteral.MAX_IPV6_TEXT_BYTES);
        if (isIpv4())
        {
            IpLiteral.writeIpv4(address, 0, text);
        }
        else
        {
            IpLiteral.writeIpv6(address, 0, text);
        }
        return new String(text.array(), 0, text.position(), StandardCharsets.ISO_8859_1) + "/" + prefixBits;
    }

    private static String expected(final String text)
    {
        return "expected an IPv4 or IPv6 address or CIDR such as 10.0.0.0/8, 192.168.1.7, ::1 or 2001:db8::/32, " +
            "got \"" + text + "\"";
    }
}
