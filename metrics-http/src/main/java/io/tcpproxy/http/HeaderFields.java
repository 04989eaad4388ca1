package io.tcpproxy.http;

import java.nio.ByteBuffer;

import static io.tcpproxy.http.HttpBytes.HTAB;
import static io.tcpproxy.http.HttpBytes.ascii;
import static io.tcpproxy.http.HttpBytes.contentEnd;
import static io.tcpproxy.http.HttpBytes.equalsIgnoreCase;
import static io.tcpproxy.http.HttpBytes.isTchar;
import static io.tcpproxy.http.HttpBytes.isWhitespace;
import static io.tcpproxy.http.HttpBytes.lineEnd;

/**
 * The header fields of one request head, checked for syntax; only the few the responder needs are interpreted
 * (Connection, Content-Length, Transfer-Encoding, Host, Authorization). Reused by the {@link RequestParser}; the
 * fields hold the result of the last {@link #scan} call.
 */
final class HeaderFields
{
    private static final byte[] HOST = ascii("host");
    private static final byte[] AUTHORIZATION = ascii("authorization");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    /** A Connection field holds the token "close". */
    boolean closeAsked;
    /** A Connection field holds the token "keep-alive". */
    boolean keepAliveAsked;
    /** A non-zero Content-Length or any Transfer-Encoding. */
    boolean hasBody;
    /** The value of the (last) Authorization field, from {@code authorizationStart} to its end; -1 when absent. */
    int authorizationStart = -1;
    int authorizationEnd = -1;

    /**
     * @param buffer         the head, from index 0, complete up to its empty line.
     * @param firstLineStart where the line after the request line starts.
     * @param http11         the request line said HTTP/1.1 (which requires exactly one Host field).
     * @return whether the fields are well formed; false means 400.
     */
    boolean scan(final ByteBuffer buffer, final int firstLineStart, final boolean http11)
    {
        closeAsked = false;
        keepAliveAsked = false;
        hasBody = false;
        authorizationStart = -1;
        authorizationEnd = -1;
        int hostFields = 0;
        int lineStart = firstLineStart;
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
                return false;
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
                    return false;
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
                    return false;
                }
                for (int i = valueStart; i < valueEnd; i++)
                {
                    final byte b = buffer.get(i);
                    if (b < '0' || b > '9')
                    {
                        return false;
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
            return false;
        }
        return true;
    }
}
