package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest
{
    private final RequestParser parser = new RequestParser();

    private int parse(final String text)
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
        buffer.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return parser.parse(buffer, buffer.position(), 0);
    }

    @Test
    void shouldParseAKeptAliveGet()
    {
        final String head = "GET /metrics?format=json HTTP/1.1\r\nHost: x\r\n\r\n";
        assertEquals(RequestParser.COMPLETE, parse(head + "GET /next"));

        assertEquals(head.length(), parser.headLength);
        assertEquals(RequestParser.METHOD_GET, parser.method);
        assertEquals(RequestParser.ROUTE_METRICS, parser.route);
        assertTrue(parser.json);
        assertTrue(parser.keepAlive);
        assertFalse(parser.hasBody);
    }

    @Test
    void shouldAcceptBareLineFeedsAndLeadingBlankLines()
    {
        assertEquals(RequestParser.COMPLETE, parse("\r\n\nHEAD /healthz HTTP/1.0\nConnection: keep-alive\n\n"));

        assertEquals(RequestParser.METHOD_HEAD, parser.method);
        assertEquals(RequestParser.ROUTE_HEALTHZ, parser.route);
        assertTrue(parser.keepAlive);
    }

    @Test
    void shouldNeedMoreUntilTheEmptyLine()
    {
        assertEquals(RequestParser.NEED_MORE, parse("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
        assertEquals(RequestParser.NEED_MORE, parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r"));
        assertEquals(RequestParser.NEED_MORE, parse("\r"));
        assertEquals(RequestParser.NEED_MORE, parse("G"));
    }

    @Test
    void shouldResumeScanningWhereItStopped()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(256);
        buffer.put("GET / HTTP/1.1\r\nA: b\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestParser.NEED_MORE, parser.parse(buffer, buffer.position(), 0));
        final int scannedTo = parser.scannedTo;
        assertTrue(scannedTo > 0);

        buffer.put("\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestParser.COMPLETE, parser.parse(buffer, buffer.position(), scannedTo));
        assertEquals(RequestParser.ROUTE_NOT_FOUND, parser.route);
    }

    @Test
    void shouldSeeBodiesAndClose()
    {
        assertEquals(RequestParser.COMPLETE, parse("POST /metrics HTTP/1.1\r\ncontent-LENGTH: 10\r\n\r\n"));
        assertEquals(RequestParser.METHOD_OTHER, parser.method);
        assertTrue(parser.hasBody);

        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.1\r\nContent-Length: 000\r\n\r\n"));
        assertFalse(parser.hasBody);

        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.1\r\nConnection: keep-alive, close\r\n\r\n"));
        assertFalse(parser.keepAlive);
        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.0\r\n\r\n"));
        assertFalse(parser.keepAlive);
    }

    @Test
    void shouldRejectMalformedHeads()
    {
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.2\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET http://x/metrics HTTP/1.1\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.1\r\nX : y\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.1\r\nX: \u0000\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("\u0016\u0003\u0001"));
        assertEquals(RequestParser.BAD_REQUEST, parse("\r\u0000"));
    }
}
