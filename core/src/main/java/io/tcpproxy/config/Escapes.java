package io.tcpproxy.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Bytes written as text with backslash escapes, for health check {@code send}/{@code expect}: {@code \r}, {@code \n},
 * {@code \t}, {@code \0}, {@code \\} and {@code \xNN}; other characters as UTF-8. (In a TOML basic string "..." the
 * TOML escapes are already decoded; {@code \xNN} needs a literal string '...' or a doubled backslash.)
 */
final class Escapes
{
    static final int MAX_BYTES = 4096;
    static final String EXPECTED =
        "a string of at most " + MAX_BYTES + " bytes with \\r, \\n, \\t, \\0, \\\\ and \\xNN escapes";

    private Escapes()
    {
    }

    static byte[] decode(final String text)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length())
        {
            final char c = text.charAt(i);
            if (c != '\\')
            {
                final int end = text.indexOf('\\', i) < 0 ? text.length() : text.indexOf('\\', i);
                out.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            if (i + 1 >= text.length())
            {
                throw bad(text, "a lone backslash at the end");
            }
            final char escape = text.charAt(i + 1);
            switch (escape)
            {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' ->
                {
                    final int value = i + 4 <= text.length() ? hex(text.charAt(i + 2), text.charAt(i + 3)) : -1;
                    if (value < 0)
                    {
                        throw bad(text, "\\x must be followed by two hex digits");
                    }
                    out.write(value);
                    i += 2;
                }
                default -> throw bad(text, "unknown escape \\" + escape);
            }
            i += 2;
        }
        if (out.size() > MAX_BYTES)
        {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got " + out.size() + " bytes");
        }
        return out.toByteArray();
    }

    /** The inverse of {@link #decode}: printable ASCII as is, the rest escaped. */
    static String encode(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder(bytes.length);
        for (final byte b : bytes)
        {
            final int v = b & 0xFF;
            if (v == '\r')
            {
                text.append("\\r");
            }
            else if (v == '\n')
            {
                text.append("\\n");
            }
            else if (v == '\\')
            {
                text.append("\\\\");
            }
            else if (v >= 0x20 && v < 0x7F)
            {
                text.append((char)v);
            }
            else
            {
                text.append(String.format("\\x%02x", v));
            }
        }
        return text.toString();
    }

    private static int hex(final char high, final char low)
    {
        final int h = Character.digit(high, 16);
        final int l = Character.digit(low, 16);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }

    private static IllegalArgumentException bad(final String text, final String why)
    {
        return new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\" (" + why + ")");
    }
}
