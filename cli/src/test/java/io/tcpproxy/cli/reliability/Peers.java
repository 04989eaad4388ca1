package io.tcpproxy.cli.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The other end of the process-level battery's HTTP side: a minimal HTTP/1.1 client for the metrics endpoint
 * (the upstream is {@link io.tcpproxy.testsupport.TestUpstream}).
 */
final class Peers
{
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)");

    private Peers()
    {
    }

    /** An HTTP response: status and body. */
    static final class Response
    {
        final int status;
        final String body;

        Response(final int status, final String body)
        {
            this.status = status;
            this.body = body;
        }
    }

    /** One request on a fresh connection ({@code Connection: close}). */
    static Response get(final int port, final String path) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: battery\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            return read(socket.getInputStream());
        }
    }

    /** Send a request on a kept-alive connection. */
    static void send(final Socket socket, final String path) throws IOException
    {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: battery\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    }

    /** Read one response (the body by {@code Content-Length}, else to the end of the stream). */
    static Response read(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("the connection ended inside a response head: " + head);
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        final String headText = head.toString(StandardCharsets.US_ASCII);
        final int status = Integer.parseInt(headText.substring(9, 12));
        final Matcher length = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(headText);
        final byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : in.readAllBytes();
        return new Response(status, new String(body, StandardCharsets.UTF_8));
    }

    /** @return every sample of a Prometheus text exposition: series (name and labels) to value. */
    static Map<String, Double> samples(final String exposition)
    {
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : exposition.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final Matcher sample = SAMPLE.matcher(line);
            if (sample.matches())
            {
                samples.put(sample.group(1), Double.parseDouble(sample.group(2)));
            }
        }
        return samples;
    }
}
