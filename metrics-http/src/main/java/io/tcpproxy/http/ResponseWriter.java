package io.tcpproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes one response head and body into a connection's output buffer and hands it to the connection layer to
 * send. A handler sets the status, optional extra headers, then calls one terminal method: {@link #text},
 * {@link #body} or {@link #stream}. Reused for every request on the responder thread.
 */
final class ResponseWriter
{
    static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    private static final DateTimeFormatter HTTP_DATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    /** Sends what the writer put into a connection's output buffer. */
    interface Sender
    {
        void send(HttpConnection connection);
    }

    private final StringBuilder head = new StringBuilder(512);
    private final StringBuilder extraHeaders = new StringBuilder(128);
    private final ResponderCounters counters;
    private final Sender sender;
    private long dateSecond = Long.MIN_VALUE;
    private String date = "";

    private HttpConnection connection;
    private int status;
    private boolean headOnly;
    private boolean keepAlive;

    ResponseWriter(final ResponderCounters counters, final Sender sender)
    {
        this.counters = counters;
        this.sender = sender;
    }

    /**
     * Start a response to a connection.
     *
     * @param headOnly  a HEAD request: the body is measured but not sent.
     * @param keepAlive the client may send another request after this one.
     */
    ResponseWriter begin(final HttpConnection connection, final boolean headOnly, final boolean keepAlive)
    {
        this.connection = connection;
        this.headOnly = headOnly;
        this.keepAlive = keepAlive;
        status = 200;
        extraHeaders.setLength(0);
        return this;
    }

    ResponseWriter status(final int status)
    {
        this.status = status;
        return this;
    }

    ResponseWriter header(final String name, final String value)
    {
        extraHeaders.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    /**
     * Close the connection after this response (after a bad request, or when the peer asked for it).
     */
    ResponseWriter closeAfter()
    {
        keepAlive = false;
        return this;
    }

    boolean isHeadOnly()
    {
        return headOnly;
    }

    /**
     * Terminal: a short {@code text/plain} body.
     */
    void text(final byte[] body)
    {
        body(TEXT_PLAIN, body, body.length);
    }

    /**
     * Terminal: a body of {@code length} bytes.
     */
    void body(final String contentType, final byte[] body, final int length)
    {
        appendHead(contentType);
        head.append("Content-Length: ").append(length).append("\r\n")
            .append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
        final ByteBuffer out = prepare(head.length() + (headOnly ? 0 : length));
        putAscii(out, head);
        if (!headOnly)
        {
            out.put(body, 0, length);
        }
        out.flip();
        finish(!keepAlive, false);
    }

    /**
     * Terminal: a head without a length; the connection then carries a stream of events until either side closes.
     * A HEAD request gets the head and is closed.
     */
    void stream(final String contentType, final byte[] firstBytes)
    {
        appendHead(contentType);
        head.append("Connection: close\r\nX-Accel-Buffering: no\r\n\r\n");
        final ByteBuffer out = prepare(head.length() + firstBytes.length);
        putAscii(out, head);
        if (!headOnly)
        {
            out.put(firstBytes);
        }
        out.flip();
        finish(headOnly, !headOnly);
    }

    private void appendHead(final String contentType)
    {
        counters.countResponse(status);
        head.setLength(0);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
            .append("Date: ").append(httpDate()).append("\r\n")
            .append("Content-Type: ").append(contentType).append("\r\n")
            .append("Cache-Control: no-store\r\n")
            .append(extraHeaders);
    }

    private ByteBuffer prepare(final int bytes)
    {
        ByteBuffer out = connection.out;
        if (out.capacity() < bytes)
        {
            out = ByteBuffer.allocateDirect(Math.max(bytes, out.capacity() * 2));
            connection.out = out;
        }
        out.clear();
        return out;
    }

    private void finish(final boolean closeAfterWrite, final boolean streaming)
    {
        final HttpConnection target = connection;
        connection = null;
        target.closeAfterWrite = closeAfterWrite;
        target.streaming = streaming;
        target.writing = true;
        sender.send(target);
    }

    private String httpDate()
    {
        final long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond)
        {
            dateSecond = second;
            date = HTTP_DATE.format(Instant.ofEpochSecond(second));
        }
        return date;
    }

    private static void putAscii(final ByteBuffer out, final CharSequence text)
    {
        for (int i = 0, n = text.length(); i < n; i++)
        {
            out.put((byte)text.charAt(i));
        }
    }

    static String reason(final int status)
    {
        switch (status)
        {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
