package io.tcpproxy.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.1 client over a raw socket, so tests control every byte sent. Every read has a deadline
 * (the socket timeout), so a broken responder fails a test instead of hanging it.
 */
final class TestHttp implements AutoCloseable
{
    static final int READ_TIMEOUT_MS = 30_000;

    record Response(int status, String statusLine, Map<String, String> headers, String body)
    {
        String header(final String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    final Socket socket;
    private final InputStream in;

    TestHttp(final InetSocketAddress address) throws IOException
    {
        socket = new Socket();
        socket.connect(address, READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
    }

    static Response get(final InetSocketAddress address, final String target) throws IOException
    {
        try (TestHttp client = new TestHttp(address))
        {
            client.send("GET " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
            return client.read(false);
        }
    }

    /** Send one request and read its response (not to a HEAD request). */
    Response exchange(final String request) throws IOException
    {
        send(request);
        return read(false);
    }

    void send(final String request) throws IOException
    {
        send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(final byte[] bytes) throws IOException
    {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    Response read(final boolean headRequest) throws IOException
    {
        final String statusLine = line();
        if (null == statusLine)
        {
            throw new IOException("connection closed before a response");
        }
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 3 || !parts[0].equals("HTTP/1.1"))
        {
            throw new IOException("bad status line: " + statusLine);
        }
        final Map<String, String> headers = new LinkedHashMap<>();
        while (true)
        {
            final String line = line();
            if (null == line)
            {
                throw new IOException("connection closed inside the response head");
            }
            if (line.isEmpty())
            {
                break;
            }
            final int colon = line.indexOf(':');
            final String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            if (null != headers.put(name, line.substring(colon + 1).trim()))
            {
                throw new IOException("duplicate header " + name);
            }
        }
        final int length = Integer.parseInt(headers.get("content-length"));
        final byte[] body = headRequest ? new byte[0] : in.readNBytes(length);
        if (body.length != (headRequest ? 0 : length))
        {
            throw new IOException("body shorter than Content-Length");
        }
        return new Response(Integer.parseInt(parts[1]), statusLine, headers,
            new String(body, StandardCharsets.UTF_8));
    }

    /**
     * @return true if the peer closed (EOF or reset) before the socket timeout, false if data arrived instead.
     */
    boolean awaitClosed() throws IOException
    {
        try
        {
            return in.read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            throw ex;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private String line() throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n')
            {
                final String text = line.toString(StandardCharsets.ISO_8859_1);
                if (!text.endsWith("\r"))
                {
                    throw new IOException("response line without CR: " + text);
                }
                return text.substring(0, text.length() - 1);
            }
            line.write(b);
        }
    }

    public void close() throws IOException
    {
        socket.close();
    }
}
