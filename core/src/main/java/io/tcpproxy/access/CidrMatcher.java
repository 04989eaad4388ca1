package io.tcpproxy.access;

import java.util.List;

/**
 * Whether an address falls in any of a list of ranges, asked with the address as bytes and without allocation.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}, what a dual-stack socket reports for an IPv4 client) are
 * matched as the IPv4 address they carry, and IPv4-mapped ranges of /96 or longer as IPv4 ranges, so one rule covers
 * a client however the socket names it. Immutable; safe to share between threads. A linear scan over the ranges:
 * lists of a few hundred entries cost well under a microsecond.
 */
public final class CidrMatcher
{
    private final int[] ipv4Networks;
    private final int[] ipv4Masks;
    private final long[] ipv6NetworksHigh;
    private final long[] ipv6NetworksLow;
    private final long[] ipv6MasksHigh;
    private final long[] ipv6MasksLow;

    /**
     * @param ranges the ranges; an empty list matches nothing.
     */
    public CidrMatcher(final List<CidrRange> ranges)
    {
        int ipv4Count = 0;
        for (final CidrRange range : ranges)
        {
            if (range.isIpv4() || isMappedRange(range))
            {
                ipv4Count++;
            }
        }
        ipv4Networks = new int[ipv4Count];
        ipv4Masks = new int[ipv4Count];
        final int ipv6Count = ranges.size() - ipv4Count;
        ipv6NetworksHigh = new long[ipv6Count];
        ipv6NetworksLow = new long[ipv6Count];
        ipv6MasksHigh = new long[ipv6Count];
        ipv6MasksLow = new long[ipv6Count];
        int v4 = 0;
        int v6 = 0;
        for (final CidrRange range : ranges)
        {
            final byte[] address = range.addressBytes();
            if (range.isIpv4())
            {
                ipv4Networks[v4] = ClientKey.ipv4(address, 0);
                ipv4Masks[v4++] = ipv4Mask(range.prefixBits());
            }
            else if (isMappedRange(range))
            {
                ipv4Networks[v4] = ClientKey.ipv4(address, 12);
                ipv4Masks[v4++] = ipv4Mask(range.prefixBits() - 96);
            }
            else
            {
                ipv6MasksHigh[v6] = ipv6Mask(range.prefixBits());
                ipv6MasksLow[v6] = ipv6Mask(range.prefixBits() - 64);
                ipv6NetworksHigh[v6] = ClientKey.long64(address, 0);
                ipv6NetworksLow[v6++] = ClientKey.long64(address, 8);
            }
        }
    }

    /**
     * @param address 4 (IPv4) or 16 (IPv6) valid bytes from index 0; the array may be longer.
     * @param length  4 or 16.
     * @return true when the address is in one of the ranges.
     */
    public boolean matches(final byte[] address, final int length)
    {
        if (length == 4 || ClientKey.isIpv4Mapped(address, length))
        {
            final int ip = ClientKey.ipv4(address, length == 4 ? 0 : 12);
            for (int i = 0; i < ipv4Networks.length; i++)
            {
                if ((ip & ipv4Masks[i]) == ipv4Networks[i])
                {
                    return true;
                }
            }
            return false;
        }
        if (length != 16)
        {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + length);
        }
        final long high = ClientKey.long64(address, 0);
        final long low = ClientKey.long64(address, 8);
        for (int i = 0; i < ipv6NetworksHigh.length; i++)
        {
            if ((high & ipv6MasksHigh[i]) == ipv6NetworksHigh[i] && (low & ipv6MasksLow[i]) == ipv6NetworksLow[i])
            {
                return true;
            }
        }
        return false;
    }

    /** @return true when no range was given. */
    public boolean isEmpty()
    {
        return ipv4Networks.length == 0 && ipv6NetworksHigh.length == 0;
    }

    private static boolean isMappedRange(final CidrRange range)
    {
        return !range.isIpv4() && range.prefixBits() >= 96 && ClientKey.isIpv4Mapped(range.addressBytes(), 16);
    }

    private static int ipv4Mask(final int prefixBits)
    {
        return prefixBits == 0 ? 0 : -1 << (32 - prefixBits);
    }

    private static long ipv6Mask(final int prefixBits)
    {
        if (prefixBits <= 0)
        {
            return 0;
        }
        return prefixBits >= 64 ? -1L : -1L << (64 - prefixBits);
    }
}
