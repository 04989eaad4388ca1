package io.tcpproxy.access;

/**
 * A client's identity for per-client limits and metrics as two longs, computed from address bytes without allocation:
 * an IPv4 client (or an IPv4-mapped IPv6 one) is its address, as {@code ::ffff:a.b.c.d}; an IPv6 client is its address
 * masked to a prefix (default /64: one client per subnet, since one host usually owns a whole /64).
 */
public final class ClientKey
{
    /** The default IPv6 prefix that makes one client. */
    public static final int DEFAULT_IPV6_PREFIX_BITS = 64;

    private static final long IPV4_MAPPED_LOW = 0x0000_FFFF_0000_0000L;

    private ClientKey()
    {
    }

    /**
     * @param address          4 or 16 valid bytes from index 0.
     * @param length           4 or 16.
     * @param ipv6PrefixBits   0..128: how much of an IPv6 address names the client.
     * @return the high 64 bits of the key.
     */
    public static long high(final byte[] address, final int length, final int ipv6PrefixBits)
    {
        if (length == 4 || isIpv4Mapped(address, length))
        {
            return 0;
        }
        return long64(address, 0) & mask(ipv6PrefixBits);
    }

    /**
     * @param address          4 or 16 valid bytes from index 0.
     * @param length           4 or 16.
     * @param ipv6PrefixBits   0..128: how much of an IPv6 address names the client.
     * @return the low 64 bits of the key.
     */
    public static long low(final byte[] address, final int length, final int ipv6PrefixBits)
    {
        if (length == 4)
        {
            return IPV4_MAPPED_LOW | (ipv4(address, 0) & 0xFFFF_FFFFL);
        }
        if (isIpv4Mapped(address, length))
        {
            return IPV4_MAPPED_LOW | (ipv4(address, 12) & 0xFFFF_FFFFL);
        }
        return long64(address, 8) & mask(ipv6PrefixBits - 64);
    }

    /**
     * @param address bytes from index 0.
     * @param length  4 or 16.
     * @return true for a 16-byte {@code ::ffff:a.b.c.d} address.
     */
    public static boolean isIpv4Mapped(final byte[] address, final int length)
    {
        if (length != 16)
        {
            return false;
        }
        for (int i = 0; i < 10; i++)
        {
            if (address[i] != 0)
            {
                return false;
            }
        }
        return address[10] == (byte)0xFF && address[11] == (byte)0xFF;
    }

    static int ipv4(final byte[] address, final int offset)
    {
        return (address[offset] & 0xFF) << 24 | (address[offset + 1] & 0xFF) << 16 |
            (address[offset + 2] & 0xFF) << 8 | (address[offset + 3] & 0xFF);
    }

    static long long64(final byte[] address, final int offset)
    {
        long value = 0;
        for (int i = 0; i < 8; i++)
        {
            value = value << 8 | (address[offset + i] & 0xFF);
        }
        return value;
    }

    private static long mask(final int prefixBits)
    {
        if (prefixBits <= 0)
        {
            return 0;
        }
        return prefixBits >= 64 ? -1L : -1L << (64 - prefixBits);
    }
}
