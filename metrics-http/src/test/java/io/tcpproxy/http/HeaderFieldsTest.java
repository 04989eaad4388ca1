package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeaderFieldsTest
{
    private final HeaderFields fields = new HeaderFields();

    @Test
    void shouldReadConnectionTokensBodyAndAuthorization()
    {
        final String head = "Host: a\r\nConnection: Keep-Alive , Close\r\nContent-Length: 0\r\n" +
            "Authorization:  Bearer t \r\n\r\n";

        assertTrue(fields.scan(buffer(head), 0, true));
        assertTrue(fields.closeAsked);
        assertTrue(fields.keepAliveAsked);
        assertFalse(fields.hasBody);
        assertEquals("Bearer t", head.substring(fields.authorizationStart, fields.authorizationEnd));
    }

    @Test
    void shouldSeeABodyInANonZeroLengthOrAnyTransferEncoding()
    {
        assertTrue(fields.scan(buffer("Content-Length: 010\r\n\r\n"), 0, false));
        assertTrue(fields.hasBody);
        assertTrue(fields.scan(buffer("Transfer-Encoding: chunked\r\n\r\n"), 0, false));
        assertTrue(fields.hasBody);
        assertTrue(fields.scan(buffer("\r\n"), 0, false));
        assertFalse(fields.hasBody);
        assertEquals(-1, fields.authorizationStart);
    }

    @Test
    void shouldRejectMalformedFields()
    {
        for (final String malformed : List.of("Content-Length: 1x\r\n\r\n", "Content-Length:\r\n\r\n",
            "No Colon Here\r\n\r\n", ": empty name\r\n\r\n", "X: a\u0001b\r\n\r\n"))
        {
            assertFalse(fields.scan(buffer(malformed), 0, false), malformed);
        }
    }

    @Test
    void shouldRequireExactlyOneHostForHttp11AndAtMostOneForHttp10()
    {
        assertFalse(fields.scan(buffer("\r\n"), 0, true));
        assertFalse(fields.scan(buffer("Host: a\r\nHost: b\r\n\r\n"), 0, true));
        assertTrue(fields.scan(buffer("\r\n"), 0, false));
        assertFalse(fields.scan(buffer("Host: a\nHost: b\n\n"), 0, false));
    }

    @Test
    void shouldStartAtTheGivenLine()
    {
        final String head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

        assertTrue(fields.scan(buffer(head), head.indexOf('\n') + 1, true));
    }

    private static ByteBuffer buffer(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
