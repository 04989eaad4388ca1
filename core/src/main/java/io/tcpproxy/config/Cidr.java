package io.tcpproxy.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network as written in an access list: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single
 * address ({@code 192.0.2.7}, {@code ::1}), which is a network of one (/32 or /128). Parsing never uses DNS.
 * Immutable; {@link #address()} holds 4 or 16 bytes with every bit past the prefix zero.
 */
public final class Cidr
{
    private final byte[] address;
    private final int prefixLength;

    private Cidr(final byte[] address, final int prefixLength)
    {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /**
     * @param text {@code ADDRESS/PREFIX} or a single address.
     * @return the network.
     * @throws IllegalArgumentException saying what was expected, e.g. when bits are set past the prefix.
     */
    public static Cidr parse(final String text)
    {
        final String trimmed = text == null ? "" : text.trim();
        final int slash = trimmed.indexOf('/');
        final String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = addressBytes(addressText);
        if (bytes == null)
        {
            throw new IllegalArgumentException(
                "expected an IPv4 or IPv6 address or CIDR, e.g. \"10.0.0.0/8\" or \"::1\", got \"" + text + "\"");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0)
        {
            final String prefixText = trimmed.substring(slash + 1);
            prefix = -1;
            if (!prefixText.isEmpty() && prefixText.length() <= 3 && prefixText.chars().allMatch(Character::isDigit))
            {
                prefix = Integer.parseInt(prefixText);
            }
            if (prefix < 0 || prefix > bytes.length * 8)
            {
                throw new IllegalArgumentException("expected a prefix length from 0 to " + bytes.length * 8 +
                    " after the slash, got \"" + text + "\"");
            }
        }
        final byte[] network = mask(bytes, prefix);
        if (!Arrays.equals(network, bytes))
        {
            throw new IllegalArgumentException("\"" + text + "\" has bits set past the /" + prefix +
                " prefix (did you mean \"" + new Cidr(network, prefix) + "\"?)");
        }
        return new Cidr(network, prefix);
    }

    /**
     * @param address 4 (IPv4) or 16 (IPv6) bytes, copied.
     * @param prefixLength 0 to 32 or 0 to 128; bits past it are cleared.
     * @return the network.
     */
    public static Cidr of(final byte[] address, final int prefixLength)
    {
        if (address.length != 4 && address.length != 16)
        {
            throw new IllegalArgumentException("expected 4 or 16 address bytes, got " + address.length);
        }
        if (prefixLength < 0 || prefixLength > address.length * 8)
        {
            throw new IllegalArgumentException("expected a prefix length from 0 to " + address.length * 8 +
                ", got " + prefixLength);
        }
        return new Cidr(mask(address, prefixLength), prefixLength);
    }

    /** @return true for an IPv4 network. */
    public boolean isIpv4()
    {
        return address.length == 4;
    }

    /** @return the network address: 4 or 16 bytes (a copy), zero past the prefix. */
    public byte[] address()
    {
        return address.clone();
    }

    /** @return the prefix length in bits. */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * A plain check, for tests and the cold path (the access part keeps its own fast matcher).
     *
     * @param candidate 4 or 16 address bytes.
     * @return whether the address lies in this network (an address of the other family never does).
     */
    public boolean contains(final byte[] candidate)
    {
        return candidate.length == address.length && Arrays.equals(mask(candidate, prefixLength), address);
    }

    private static byte[] mask(final byte[] bytes, final int prefix)
    {
        final byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++)
        {
            final int bitsKept = Math.max(0, Math.min(8, prefix - i * 8));
            masked[i] &= (byte)(0xFF00 >>> bitsKept);
        }
        return masked;
    }

    private static byte[] addressBytes(final String text)
    {
        if (text.indexOf(':') >= 0)
        {
            if (text.indexOf('%') >= 0 || text.indexOf('[') >= 0)
            {
                return null;
            }
            try
            {
                // A text holding a colon is parsed as an IPv6 literal and never looked up in DNS.
                final InetAddress parsed = InetAddress.getByName(text);
                return parsed instanceof Inet4Address ? null : parsed.getAddress();
            }
            catch (final UnknownHostException ex)
            {
                return null;
            }
        }
        final String[] parts = text.split("\\.", -1);
        if (parts.length != 4)
        {
            return null;
        }
        final byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            final String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9') ||
                part.length() > 1 && part.charAt(0) == '0')
            {
                return null;
            }
            final int value = Integer.parseInt(part);
            if (value > 255)
            {
                return null;
            }
            bytes[i] = (byte)value;
        }
        return bytes;
    }

    public boolean equals(final Object o)
    {
        return o instanceof Cidr && ((Cidr)o).prefixLength == prefixLength && Arrays.equals(((Cidr)o).address, address);
    }

    public int hashCode()
    {
        return Arrays.hashCode(address) * 31 + prefixLength;
    }

    /**
     * @return {@code address/prefix} as usually written ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or the address
     *     alone for a network of one ({@code 192.0.2.7}, {@code ::1}).
     */
    public String toString()
    {
        final String text = address.length == 4 ? ipv4Text() : ipv6Text();
        return prefixLength == address.length * 8 ? text : text + "/" + prefixLength;
    }

    private String ipv4Text()
    {
        return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
    }

    /** RFC 5952: lower-case hex groups, the longest run of two or more zero groups as "::". */
    private String ipv6Text()
    {
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = (address[2 * i] & 0xFF) << 8 | address[2 * i + 1] & 0xFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++)
        {
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':')
            {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
