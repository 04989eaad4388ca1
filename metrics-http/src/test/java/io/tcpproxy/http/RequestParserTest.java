package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
        assertTrue(parser.pathIs("/metrics".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(parser.queryHas("format=json".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(parser.keepAlive);
        assertFalse(parser.hasBody);
    }

    @Test
    void shouldReadTheAdminPartsOfARequest()
    {
        assertEquals(RequestParser.COMPLETE, parse(
            "POST /admin/upstreams/10.0.0.1:80/drain?limit=5&after=17 HTTP/1.1\r\n" +
            "Host: x\r\nAuthorization:   Bearer abc  \r\n\r\n"));
        assertEquals("/admin/upstreams/10.0.0.1:80/drain", parser.path());
        assertTrue(parser.pathStartsWith("/admin/".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(parser.pathStartsWith("/admin/upstreams/10.0.0.1:80/drain/".getBytes(StandardCharsets.UTF_8)));
        assertEquals("5", parser.queryValue("limit"));
        assertEquals("17", parser.queryValue("after"));
        assertEquals(null, parser.queryValue("afte"));
        assertArrayEquals("Bearer abc".getBytes(StandardCharsets.US_ASCII), parser.authorization());

        assertEquals(RequestParser.COMPLETE, parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(null, parser.authorization(), "not kept from the previous request");
        assertEquals("/", parser.path());
        assertEquals(null, parser.queryValue("limit"));
    }

    @Test
    void shouldAcceptBareLineFeedsAndLeadingBlankLines()
    {
        assertEquals(RequestParser.COMPLETE, parse("\r\n\nHEAD /healthz HTTP/1.0\nConnection: keep-alive\n\n"));

        assertEquals(RequestParser.METHOD_HEAD, parser.method);
        assertTrue(parser.pathIs("/healthz".getBytes(StandardCharsets.US_ASCII)));
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
        buffer.put("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestParser.NEED_MORE, parser.parse(buffer, buffer.position(), 0));
        final int scannedTo = parser.scannedTo;
        assertTrue(scannedTo > 0);

        buffer.put("\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(RequestParser.COMPLETE, parser.parse(buffer, buffer.position(), scannedTo));
        assertTrue(parser.pathIs("/".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldSeeBodiesAndClose()
    {
        assertEquals(RequestParser.COMPLETE, parse("POST /metrics HTTP/1.1\r\nHost: x\r\ncontent-LENGTH: 10\r\n\r\n"));
        assertEquals(RequestParser.METHOD_POST, parser.method);
        assertTrue(parser.hasBody);

        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 000\r\n\r\n"));
        assertFalse(parser.hasBody);

        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n"));
        assertFalse(parser.keepAlive);
        assertEquals(RequestParser.COMPLETE, parse("GET /metrics HTTP/1.0\r\n\r\n"));
        assertFalse(parser.keepAlive);
    }

    @Test
    void shouldRejectMalformedHeads()
    {
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.2\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET x/metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET http:///metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.1\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.1\r\nX : y\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("GET /metrics HTTP/1.1\r\nX: \u0000\r\n\r\n"));
        assertEquals(RequestParser.BAD_REQUEST, parse("\u0016\u0003\u0001"));
        assertEquals(RequestParser.BAD_REQUEST, parse("\r\u0000"));
    }

    @Test
    void shouldAcceptTheAbsoluteForm()
    {
        assertEquals(RequestParser.COMPLETE, parse("GET https://h:1/metrics?a=b&format=json HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(parser.pathIs("/metrics".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(parser.queryHas("format=json".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(RequestParser.COMPLETE, parse("GET http://h?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(parser.pathIs("/".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(parser.queryHas("format=json".getBytes(StandardCharsets.US_ASCII)));
    }
}
