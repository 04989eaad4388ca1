package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpBytesTest
{
    @Test
    void shouldFindTheEndOfAHeadWithOrWithoutCarriageReturns()
    {
        assertEquals(18, HttpBytes.findHeadEnd(buffer("GET / HTTP/1.0\r\n\r\n"), 0, 18));
        assertEquals(16, HttpBytes.findHeadEnd(buffer("GET / HTTP/1.0\n\n"), 0, 16));
        assertEquals(-1, HttpBytes.findHeadEnd(buffer("GET / HTTP/1.0\r\n\r"), 0, 17));
    }

    @Test
    void shouldCompareIgnoringTheCaseOfTheBufferOnly()
    {
        final ByteBuffer buffer = buffer("xContent-LENGTHx");

        assertTrue(HttpBytes.equalsIgnoreCase(buffer, 1, 14, HttpBytes.ascii("content-length")));
        assertFalse(HttpBytes.equalsIgnoreCase(buffer, 1, 13, HttpBytes.ascii("content-length")));
        assertFalse(HttpBytes.sameBytes(buffer, 1, 14, HttpBytes.ascii("content-length")));
        assertTrue(HttpBytes.sameBytes(buffer, 1, 7, HttpBytes.ascii("Content")));
    }

    @Test
    void shouldKnowTokenCharacters()
    {
        assertTrue(HttpBytes.isTchar((byte)'a'));
        assertTrue(HttpBytes.isTchar((byte)'~'));
        assertFalse(HttpBytes.isTchar((byte)':'));
        assertFalse(HttpBytes.isTchar((byte)' '));
        assertFalse(HttpBytes.isTchar((byte)0xC3));
    }

    @Test
    void shouldEndContentBeforeACarriageReturn()
    {
        final ByteBuffer buffer = buffer("ab\r\ncd\n");

        assertEquals(3, HttpBytes.lineEnd(buffer, 0));
        assertEquals(2, HttpBytes.contentEnd(buffer, 0, 3));
        assertEquals(6, HttpBytes.contentEnd(buffer, 4, HttpBytes.lineEnd(buffer, 4)));
    }

    private static ByteBuffer buffer(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
