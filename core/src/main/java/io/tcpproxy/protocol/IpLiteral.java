package io.tcpproxy.protocol;

import java.nio.ByteBuffer;

/**
 * Strict IPv4 / IPv6 text literals read from and written to ASCII bytes without allocation: dotted decimal with no
 * leading zeros for IPv4; RFC 4291 text for IPv6 (one {@code ::}, optional dotted IPv4 tail, no zone id).
 * Written IPv6 text is the RFC 5952 form (lower case, the longest run of two or more zero groups as {@code ::}).
 */
public final class IpLiteral
{
    /** Longest IPv4 text: {@code 255.255.255.255}. */
    public static final int MAX_IPV4_TEXT_BYTES = 15;
    /** Longest IPv6 text written by {@link #writeIpv6}: eight groups of four hex digits and seven colons. */
    public static final int MAX_IPV6_TEXT_BYTES = 39;

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private IpLiteral()
    {
    }

    /**
     * Parse a dotted-decimal IPv4 address.
     *
     * @param text  the bytes, read with absolute gets.
     * @param from  index of the first character.
     * @param to    index one past the last character.
     * @param out   receives 4 bytes at {@code outOffset}.
     * @param outOffset where to write.
     * @return true when the whole range is exactly one IPv4 address.
     */
    public static boolean parseIpv4(final ByteBuffer text, final int from, final int to, final byte[] out,
        final int outOffset)
    {
        int i = from;
        for (int octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (i >= to || text.get(i) != '.')
                {
                    return false;
                }
                i++;
            }
            final int start = i;
            int value = 0;
            while (i < to && i - start < 3)
            {
                final int c = text.get(i);
                if (c < '0' || c > '9')
                {
                    break;
                }
                value = value * 10 + (c - '0');
                i++;
            }
            final int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text.get(start) == '0'))
            {
                return false;
            }
            out[outOffset + octet] = (byte)value;
        }
        return i == to;
    }

    /**
     * Parse an IPv6 address in RFC 4291 text form.
     *
     * @param text  the bytes, read with absolute gets.
     * @param from  index of the first character.
     * @param to    index one past the last character.
     * @param out   receives 16 bytes at {@code outOffset}.
     * @param outOffset where to write.
     * @return true when the whole range is exactly one IPv6 address.
     */
    public static boolean parseIpv6(final ByteBuffer text, final int from, final int to, final byte[] out,
        final int outOffset)
    {
        if (to - from < 2 || to - from > 45)
        {
            return false;
        }
        int groups = 0;
        int gapAt = -1;
        int i = from;
        if (text.get(i) == ':')
        {
            if (text.get(i + 1) != ':')
            {
                return false;
            }
            gapAt = 0;
            i += 2;
            if (i == to)
            {
                java.util.Arrays.fill(out, outOffset, outOffset + 16, (byte)0);
                return true;
            }
        }
        while (i < to)
        {
            if (groups == 8)
            {
                return false;
            }
            final int start = i;
            int value = 0;
            while (i < to && i - start < 5)
            {
                final int digit = hexValue(text.get(i));
                if (digit < 0)
                {
                    break;
                }
                value = (value << 4) | digit;
                i++;
            }
            final int digits = i - start;
            if (i < to && text.get(i) == '.')
            {
                // a dotted IPv4 tail fills the last two groups
                if (groups > 6 || (gapAt < 0 && groups != 6) ||
                    !parseIpv4(text, start, to, out, outOffset + groups * 2))
                {
                    return false;
                }
                groups += 2;
                i = to;
                break;
            }
            if (digits == 0 || digits > 4)
            {
                return false;
            }
            out[outOffset + groups * 2] = (byte)(value >>> 8);
            out[outOffset + groups * 2 + 1] = (byte)value;
            groups++;
            if (i == to)
            {
                break;
            }
            if (text.get(i) != ':')
            {
                return false;
            }
            i++;
            if (i < to && text.get(i) == ':')
            {
                if (gapAt >= 0)
                {
                    return false;
                }
                gapAt = groups;
                i++;
            }
            else if (i == to)
            {
                return false;
            }
        }
        if (gapAt < 0)
        {
            return groups == 8;
        }
        if (groups > 7)
        {
            return false;
        }
        final int tailGroups = groups - gapAt;
        final int zeroGroups = 8 - groups;
        System.arraycopy(out, outOffset + gapAt * 2, out, outOffset + (gapAt + zeroGroups) * 2, tailGroups * 2);
        java.util.Arrays.fill(out, outOffset + gapAt * 2, outOffset + (gapAt + zeroGroups) * 2, (byte)0);
        return true;
    }

    /**
     * Write an IPv4 address as dotted decimal at the buffer's position.
     *
     * @param address 4 bytes at {@code offset}.
     * @param offset  where the address starts.
     * @param dst     receives at most {@link #MAX_IPV4_TEXT_BYTES} bytes.
     */
    public static void writeIpv4(final byte[] address, final int offset, final ByteBuffer dst)
    {
        for (int i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                dst.put((byte)'.');
            }
            writeDecimal(address[offset + i] & 0xFF, dst);
        }
    }

    /**
     * Write an IPv6 address in RFC 5952 form at the buffer's position.
     *
     * @param address 16 bytes at {@code offset}.
     * @param offset  where the address starts.
     * @param dst     receives at most {@link #MAX_IPV6_TEXT_BYTES} bytes.
     */
    public static void writeIpv6(final byte[] address, final int offset, final ByteBuffer dst)
    {
        int bestStart = -1;
        int bestLength = 1;
        int runStart = -1;
        for (int g = 0; g <= 8; g++)
        {
            final boolean zero = g < 8 && address[offset + g * 2] == 0 && address[offset + g * 2 + 1] == 0;
            if (zero && runStart < 0)
            {
                runStart = g;
            }
            else if (!zero && runStart >= 0)
            {
                if (g - runStart > bestLength)
                {
                    bestStart = runStart;
                    bestLength = g - runStart;
                }
                runStart = -1;
            }
        }
        for (int g = 0; g < 8; g++)
        {
            if (g == bestStart)
            {
                dst.put((byte)':').put((byte)':');
                g += bestLength - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLength)
            {
                dst.put((byte)':');
            }
            final int value = ((address[offset + g * 2] & 0xFF) << 8) | (address[offset + g * 2 + 1] & 0xFF);
            boolean started = false;
            for (int shift = 12; shift >= 0; shift -= 4)
            {
                final int digit = (value >>> shift) & 0xF;
                if (digit != 0 || started || shift == 0)
                {
                    dst.put(HEX[digit]);
                    started = true;
                }
            }
        }
    }

    /**
     * Write a non-negative decimal number without leading zeros.
     *
     * @param value the number, at most 99,999.
     * @param dst   receives the digits.
     */
    static void writeDecimal(final int value, final ByteBuffer dst)
    {
        int divisor = 10000;
        boolean started = false;
        while (divisor > 0)
        {
            final int digit = (value / divisor) % 10;
            if (digit != 0 || started || divisor == 1)
            {
                dst.put((byte)('0' + digit));
                started = true;
            }
            divisor /= 10;
        }
    }

    private static int hexValue(final byte c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }
}
