package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Utf8Test
{
    @Test
    void shouldEncodeLikeTheJdk()
    {
        for (final String text : new String[]{"", "plain ascii\n", "é", "日本", "\uD83D\uDE00 emoji", "mixé日\uD83D\uDE00"})
        {
            final byte[] expected = text.getBytes(StandardCharsets.UTF_8);
            final StringBuilder builder = new StringBuilder(text);
            assertEquals(expected.length, Utf8.encodedLength(builder), text);
            final byte[] dst = new byte[expected.length];
            assertEquals(expected.length, Utf8.encode(builder, dst));
            assertArrayEquals(expected, dst, text);
        }
    }

    @Test
    void shouldReplaceUnpairedSurrogates()
    {
        final StringBuilder text = new StringBuilder("a\uD83Db\uDE00");
        final byte[] dst = new byte[Utf8.encodedLength(text)];

        assertEquals(4, Utf8.encode(text, dst));
        assertEquals("a?b?", new String(Arrays.copyOf(dst, 4), StandardCharsets.US_ASCII));
    }
}
