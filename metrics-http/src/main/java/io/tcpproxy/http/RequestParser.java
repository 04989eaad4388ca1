package io.tcpproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static io.tcpproxy.http.HttpBytes.CR;
import static io.tcpproxy.http.HttpBytes.LF;
import static io.tcpproxy.http.HttpBytes.SP;
import static io.tcpproxy.http.HttpBytes.ascii;
import static io.tcpproxy.http.HttpBytes.contentEnd;
import static io.tcpproxy.http.HttpBytes.findHeadEnd;
import static io.tcpproxy.http.HttpBytes.indexOf;
import static io.tcpproxy.http.HttpBytes.isTchar;
import static io.tcpproxy.http.HttpBytes.lineEnd;
import static io.tcpproxy.http.HttpBytes.sameBytes;
import static io.tcpproxy.http.HttpBytes.startsWithIgnoreCase;

/**
 * Parses one HTTP/1.x request head from the start of a buffer, in place, without allocating. Strict about the
 * request line and header syntax; only the few headers the responder needs are interpreted. One instance is
 * reused by the responder thread; the fields hold the result of the last {@link #parse} call.
 */
final class RequestParser
{
    static final int NEED_MORE = 0;
    static final int COMPLETE = 1;
    static final int BAD_REQUEST = 2;

    static final int METHOD_GET = 0;
    static final int METHOD_HEAD = 1;
    static final int METHOD_OTHER = 2;
    static final int METHOD_POST = 3;

    private static final byte[] GET = ascii("GET");
    private static final byte[] HEAD = ascii("HEAD");
    private static final byte[] POST = ascii("POST");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
    private static final byte[] HTTP_SCHEME = ascii("http://");
    private static final byte[] HTTPS_SCHEME = ascii("https://");

    /** Bytes of the head including leading blank lines and the terminating empty line, when complete. */
    int headLength;
    /** Where the search for the end of the head may resume, when more bytes are needed. */
    int scannedTo;
    int method;
    /** The path of the target, from {@code pathStart} (inclusive) to {@code pathEnd}; empty means "/". */
    int pathStart;
    int pathEnd;
    /** The query of the target, without the '?'; empty when there is none. */
    int queryStart;
    int queryEnd;
    boolean keepAlive;
    boolean hasBody;
    /** The value of the (last) Authorization field, from {@code authorizationStart} to its end; -1 when absent. */
    int authorizationStart = -1;
    int authorizationEnd = -1;
    private final HeaderFields headers = new HeaderFields();
    private boolean http11;
    private ByteBuffer buffer;

    /**
     * @param buffer    bytes received, from index 0.
     * @param length    how many bytes are valid.
     * @param scanFrom  {@link #scannedTo} from the previous call on the same bytes, or 0.
     * @return {@link #NEED_MORE}, {@link #COMPLETE} or {@link #BAD_REQUEST}.
     */
    int parse(final ByteBuffer buffer, final int length, final int scanFrom)
    {
        this.buffer = buffer;
        int start = 0;
        while (start < length)
        {
            final byte b = buffer.get(start);
            if (LF == b)
            {
                start++;
            }
            else if (CR == b && start + 1 < length && LF == buffer.get(start + 1))
            {
                start += 2;
            }
            else if (CR == b && start + 1 == length)
            {
                scannedTo = 0;
                return NEED_MORE;
            }
            else
            {
                break;
            }
        }

        final int headEnd = findHeadEnd(buffer, Math.max(start, scanFrom), length);
        if (headEnd < 0)
        {
            if (start < length && !isTchar(buffer.get(start)))
            {
                // Not the start of a method: answer garbage now rather than wait for a head that never ends.
                return BAD_REQUEST;
            }
            final int firstLineEnd = indexOf(buffer, LF, start, length);
            if (firstLineEnd >= 0 && !parseRequestLine(buffer, start, contentEnd(buffer, start, firstLineEnd)))
            {
                // A complete request line that is wrong (HTTP/0.9 "GET /" among others) is answered at once.
                return BAD_REQUEST;
            }
            scannedTo = Math.max(start, length - 2);
            return NEED_MORE;
        }
        headLength = headEnd;
        scannedTo = 0;

        final int requestLineEnd = lineEnd(buffer, start);
        if (!parseRequestLine(buffer, start, contentEnd(buffer, start, requestLineEnd)))
        {
            return BAD_REQUEST;
        }

        final boolean fieldsWellFormed = headers.scan(buffer, requestLineEnd + 1, http11);
        hasBody = headers.hasBody;
        authorizationStart = headers.authorizationStart;
        authorizationEnd = headers.authorizationEnd;
        if (!fieldsWellFormed)
        {
            return BAD_REQUEST;
        }
        keepAlive = http11 ? !headers.closeAsked : headers.keepAliveAsked && !headers.closeAsked;
        return COMPLETE;
    }

    private boolean parseRequestLine(final ByteBuffer buffer, final int start, final int end)
    {
        int i = start;
        while (i < end && isTchar(buffer.get(i)))
        {
            i++;
        }
        if (i == start || i == end || SP != buffer.get(i))
        {
            return false;
        }
        final int methodLength = i - start;
        if (sameBytes(buffer, start, methodLength, GET))
        {
            method = METHOD_GET;
        }
        else if (sameBytes(buffer, start, methodLength, HEAD))
        {
            method = METHOD_HEAD;
        }
        else if (sameBytes(buffer, start, methodLength, POST))
        {
            method = METHOD_POST;
        }
        else
        {
            method = METHOD_OTHER;
        }

        final int targetStart = i + 1;
        i = targetStart;
        while (i < end)
        {
            final int b = buffer.get(i) & 0xFF;
            if (SP == b)
            {
                break;
            }
            if (b < 0x21 || b > 0x7E)
            {
                return false;
            }
            i++;
        }
        final int targetEnd = i;
        if (targetStart == targetEnd || i == end)
        {
            return false;
        }
        int originStart = targetStart;
        if ('/' != buffer.get(targetStart))
        {
            // The absolute form (RFC 9112 section 3.2.2): skip "http://authority" to the origin form.
            final int schemeLength = startsWithIgnoreCase(buffer, targetStart, targetEnd, HTTP_SCHEME) ?
                HTTP_SCHEME.length : startsWithIgnoreCase(buffer, targetStart, targetEnd, HTTPS_SCHEME) ?
                HTTPS_SCHEME.length : -1;
            if (schemeLength < 0)
            {
                return false;
            }
            final int authorityStart = targetStart + schemeLength;
            originStart = authorityStart;
            while (originStart < targetEnd && '/' != buffer.get(originStart) && '?' != buffer.get(originStart))
            {
                originStart++;
            }
            if (originStart == authorityStart)
            {
                return false;
            }
        }

        final int versionStart = i + 1;
        final int versionLength = end - versionStart;
        if (sameBytes(buffer, versionStart, versionLength, HTTP_1_1))
        {
            http11 = true;
        }
        else if (sameBytes(buffer, versionStart, versionLength, HTTP_1_0))
        {
            http11 = false;
        }
        else
        {
            return false;
        }

        int pathEndAt = originStart;
        while (pathEndAt < targetEnd && '?' != buffer.get(pathEndAt))
        {
            pathEndAt++;
        }
        pathStart = originStart;
        pathEnd = pathEndAt;
        queryStart = Math.min(pathEndAt + 1, targetEnd);
        queryEnd = targetEnd;
        return true;
    }

    /**
     * @param path in the buffer of the last parse, e.g. "/metrics".
     * @return whether the last request's path is exactly this (an empty path matches "/").
     */
    boolean pathIs(final byte[] path)
    {
        if (pathStart == pathEnd)
        {
            return 1 == path.length && '/' == path[0];
        }
        return sameBytes(buffer, pathStart, pathEnd - pathStart, path);
    }

    /**
     * @param prefix e.g. "/admin/".
     * @return whether the last request's path starts with these bytes.
     */
    boolean pathStartsWith(final byte[] prefix)
    {
        return pathEnd - pathStart >= prefix.length && sameBytes(buffer, pathStart, prefix.length, prefix);
    }

    /** @return the last request's path as text (without the query); "/" when empty. Allocates: admin use only. */
    String path()
    {
        return pathStart == pathEnd ? "/" : text(pathStart, pathEnd);
    }

    /**
     * @param name a query parameter name, e.g. "limit".
     * @return the value of its first occurrence in the last request's query (not percent-decoded), or null.
     *         Allocates: admin use only.
     */
    String queryValue(final String name)
    {
        final byte[] prefix = ascii(name + "=");
        int paramStart = queryStart;
        for (int i = paramStart; i <= queryEnd; i++)
        {
            if (i == queryEnd || '&' == buffer.get(i))
            {
                if (i - paramStart >= prefix.length && sameBytes(buffer, paramStart, prefix.length, prefix))
                {
                    return text(paramStart + prefix.length, i);
                }
                paramStart = i + 1;
            }
        }
        return null;
    }

    /** @return the last request's Authorization field value, or null when it had none. Allocates. */
    byte[] authorization()
    {
        if (authorizationStart < 0)
        {
            return null;
        }
        final byte[] value = new byte[authorizationEnd - authorizationStart];
        for (int i = 0; i < value.length; i++)
        {
            value[i] = buffer.get(authorizationStart + i);
        }
        return value;
    }

    private String text(final int from, final int to)
    {
        final byte[] bytes = new byte[to - from];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = buffer.get(from + i);
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * @param parameter a whole {@code name=value} pair, e.g. "format=json".
     * @return whether the last request's query holds this pair among its '&amp;'-separated pairs.
     */
    boolean queryHas(final byte[] parameter)
    {
        int paramStart = queryStart;
        for (int i = paramStart; i <= queryEnd; i++)
        {
            if (i == queryEnd || '&' == buffer.get(i))
            {
                if (sameBytes(buffer, paramStart, i - paramStart, parameter))
                {
                    return true;
                }
                paramStart = i + 1;
            }
        }
        return false;
    }
}
