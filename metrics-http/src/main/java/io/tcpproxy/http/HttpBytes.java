package io.tcpproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level helpers for reading an HTTP/1.x head in place in a buffer (absolute indexes, no allocation): token
 * characters, line ends, comparisons with ASCII constants.
 */
final class HttpBytes
{
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    private static final boolean[] TCHAR = new boolean[128];

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
    }

    private HttpBytes()
    {
    }

    static int indexOf(final ByteBuffer buffer, final byte b, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (b == buffer.get(i))
            {
                return i;
            }
        }
        return -1;
    }

    static boolean startsWithIgnoreCase(
        final ByteBuffer buffer, final int start, final int end, final byte[] prefixLowerCase)
    {
        return end - start >= prefixLowerCase.length &&
            equalsIgnoreCase(buffer, start, prefixLowerCase.length, prefixLowerCase);
    }

    static int findHeadEnd(final ByteBuffer buffer, final int from, final int length)
    {
        for (int i = from; i < length; i++)
        {
            if (LF == buffer.get(i))
            {
                if (i + 1 < length && LF == buffer.get(i + 1))
                {
                    return i + 2;
                }
                if (i + 2 < length && CR == buffer.get(i + 1) && LF == buffer.get(i + 2))
                {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    static int lineEnd(final ByteBuffer buffer, final int from)
    {
        int i = from;
        while (LF != buffer.get(i))
        {
            i++;
        }
        return i;
    }

    static int contentEnd(final ByteBuffer buffer, final int start, final int lineFeed)
    {
        return lineFeed > start && CR == buffer.get(lineFeed - 1) ? lineFeed - 1 : lineFeed;
    }

    static boolean isTchar(final byte b)
    {
        return b >= 0 && TCHAR[b];
    }

    static boolean isWhitespace(final byte b)
    {
        return SP == b || HTAB == b;
    }

    static boolean sameBytes(final ByteBuffer buffer, final int start, final int length, final byte[] expected)
    {
        if (length != expected.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buffer.get(start + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    static boolean equalsIgnoreCase(
        final ByteBuffer buffer, final int start, final int length, final byte[] expectedLowerCase)
    {
        if (length != expectedLowerCase.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            int b = buffer.get(start + i);
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != expectedLowerCase[i])
            {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
