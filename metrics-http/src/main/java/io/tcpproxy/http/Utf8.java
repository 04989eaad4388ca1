package io.tcpproxy.http;

/**
 * Encodes text rendered into a {@link StringBuilder} as UTF-8 without the intermediate String a
 * {@code toString().getBytes()} would cost.
 */
final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @param text to measure.
     * @return the bytes {@link #encode} will write for it.
     */
    static int encodedLength(final CharSequence text)
    {
        int bytes = 0;
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                bytes++;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes++;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * @param text to encode; unpaired surrogates become '?'.
     * @param dst  at least {@link #encodedLength} long.
     * @return bytes written from index 0.
     */
    static int encode(final CharSequence text, final byte[] dst)
    {
        int j = 0;
        for (int i = 0, n = text.length(); i < n; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x80)
            {
                dst[j++] = (byte)c;
            }
            else if (c < 0x800)
            {
                dst[j++] = (byte)(0xC0 | (c >> 6));
                dst[j++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                dst[j++] = (byte)(0xF0 | (codePoint >> 18));
                dst[j++] = (byte)(0x80 | ((codePoint >> 12) & 0x3F));
                dst[j++] = (byte)(0x80 | ((codePoint >> 6) & 0x3F));
                dst[j++] = (byte)(0x80 | (codePoint & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                dst[j++] = '?';
            }
            else
            {
                dst[j++] = (byte)(0xE0 | (c >> 12));
                dst[j++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                dst[j++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        return j;
    }
}
