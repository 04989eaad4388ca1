package io.tcpproxy.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';

    private static final byte[] GET = ascii("GET");
    private static final byte[] HEAD = ascii("HEAD");
    private static final byte[] POST = ascii("POST");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
    private static final byte[] HTTP_1_1 = ascii("HTTP/1.1");
    private static final byte[] HOST = ascii("host");
    private static final byte[] AUTHORIZATION = ascii("authorization");
    private static final byte[] HTTP_SCHEME = ascii("http://");
    private static final byte[] HTTPS_SCHEME = ascii("https://");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

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

        boolean closeAsked = false;
        boolean keepAliveAsked = false;
        int hostFields = 0;
        hasBody = false;
        authorizationStart = -1;
        authorizationEnd = -1;
        int lineStart = requestLineEnd + 1;
        while (true)
        {
            final int end = lineEnd(buffer, lineStart);
            final int contentEnd = contentEnd(buffer, lineStart, end);
            if (contentEnd == lineStart)
            {
                break;
            }

            int colon = lineStart;
            while (colon < contentEnd && isTchar(buffer.get(colon)))
            {
                colon++;
            }
            if (colon == lineStart || colon == contentEnd || ':' != buffer.get(colon))
            {
                return BAD_REQUEST;
            }

            int valueStart = colon + 1;
            int valueEnd = contentEnd;
            while (valueStart < valueEnd && isWhitespace(buffer.get(valueStart)))
            {
                valueStart++;
            }
            while (valueEnd > valueStart && isWhitespace(buffer.get(valueEnd - 1)))
            {
                valueEnd--;
            }
            for (int i = valueStart; i < valueEnd; i++)
            {
                final int b = buffer.get(i) & 0xFF;
                if (b < 0x20 && HTAB != b || 0x7F == b)
                {
                    return BAD_REQUEST;
                }
            }

            final int nameLength = colon - lineStart;
            if (equalsIgnoreCase(buffer, lineStart, nameLength, CONNECTION))
            {
                int tokenStart = valueStart;
                for (int i = valueStart; i <= valueEnd; i++)
                {
                    if (i == valueEnd || ',' == buffer.get(i))
                    {
                        int ts = tokenStart;
                        int te = i;
                        while (ts < te && isWhitespace(buffer.get(ts)))
                        {
                            ts++;
                        }
                        while (te > ts && isWhitespace(buffer.get(te - 1)))
                        {
                            te--;
                        }
                        closeAsked |= equalsIgnoreCase(buffer, ts, te - ts, CLOSE);
                        keepAliveAsked |= equalsIgnoreCase(buffer, ts, te - ts, KEEP_ALIVE);
                        tokenStart = i + 1;
                    }
                }
            }
            else if (equalsIgnoreCase(buffer, lineStart, nameLength, CONTENT_LENGTH))
            {
                if (valueStart == valueEnd)
                {
                    return BAD_REQUEST;
                }
                for (int i = valueStart; i < valueEnd; i++)
                {
                    final byte b = buffer.get(i);
                    if (b < '0' || b > '9')
                    {
                        return BAD_REQUEST;
                    }
                    hasBody |= '0' != b;
                }
            }
            else if (equalsIgnoreCase(buffer, lineStart, nameLength, TRANSFER_ENCODING))
            {
                hasBody = true;
            }
            else if (equalsIgnoreCase(buffer, lineStart, nameLength, HOST))
            {
                hostFields++;
            }
            else if (equalsIgnoreCase(buffer, lineStart, nameLength, AUTHORIZATION))
            {
                authorizationStart = valueStart;
                authorizationEnd = valueEnd;
            }

            lineStart = end + 1;
        }

        if (http11 ? 1 != hostFields : hostFields > 1)
        {
            // RFC 9112 section 3.2: an HTTP/1.1 request without exactly one Host field is answered with 400.
            return BAD_REQUEST;
        }
        keepAlive = http11 ? !closeAsked : keepAliveAsked && !closeAsked;
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
        if (equals(buffer, start, methodLength, GET))
        {
            method = METHOD_GET;
        }
        else if (equals(buffer, start, methodLength, HEAD))
        {
            method = METHOD_HEAD;
        }
        else if (equals(buffer, start, methodLength, POST))
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
        if (equals(buffer, versionStart, versionLength, HTTP_1_1))
        {
            http11 = true;
        }
        else if (equals(buffer, versionStart, versionLength, HTTP_1_0))
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
        return equals(buffer, pathStart, pathEnd - pathStart, path);
    }

    /**
     * @param prefix e.g. "/admin/".
     * @return whether the last request's path starts with these bytes.
     */
    boolean pathStartsWith(final byte[] prefix)
    {
        return pathEnd - pathStart >= prefix.length && equals(buffer, pathStart, prefix.length, prefix);
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
                if (i - paramStart >= prefix.length && equals(buffer, paramStart, prefix.length, prefix))
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
                if (equals(buffer, paramStart, i - paramStart, parameter))
                {
                    return true;
                }
                paramStart = i + 1;
            }
        }
        return false;
    }

    private static int indexOf(final ByteBuffer buffer, final byte b, final int from, final int to)
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

    private static boolean startsWithIgnoreCase(
        final ByteBuffer buffer, final int start, final int end, final byte[] prefixLowerCase)
    {
        return end - start >= prefixLowerCase.length &&
            equalsIgnoreCase(buffer, start, prefixLowerCase.length, prefixLowerCase);
    }

    private static int findHeadEnd(final ByteBuffer buffer, final int from, final int length)
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

    private static int lineEnd(final ByteBuffer buffer, final int from)
    {
        int i = from;
        while (LF != buffer.get(i))
        {
            i++;
        }
        return i;
    }

    private static int contentEnd(final ByteBuffer buffer, final int start, final int lineFeed)
    {
        return lineFeed > start && CR == buffer.get(lineFeed - 1) ? lineFeed - 1 : lineFeed;
    }

    private static boolean isTchar(final byte b)
    {
        return b >= 0 && TCHAR[b];
    }

    private static boolean isWhitespace(final byte b)
    {
        return SP == b || HTAB == b;
    }

    private static boolean equals(final ByteBuffer buffer, final int start, final int length, final byte[] expected)
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

    private static boolean equalsIgnoreCase(
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

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
