package io.tcpproxy.cli.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The other ends of the process-level battery: an upstream server in this JVM (one thread per connection) and a
 * minimal HTTP/1.1 client for the metrics endpoint.
 */
final class Peers
{
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)");

    private Peers()
    {
    }

    /** What the upstream does with one connection (the socket closes when it returns). */
    @FunctionalInterface
    interface Handler
    {
        void handle(Socket socket) throws IOException;
    }

    /** A loopback server running a handler per connection. */
    static final class Upstream implements AutoCloseable
    {
        private final ServerSocket server;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicInteger errors = new AtomicInteger();
        private final Thread acceptor;

        Upstream(final Handler handler) throws IOException
        {
            server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try
                    {
                        final Socket socket = server.accept();
                        accepted.incrementAndGet();
                        sockets.add(socket);
                        final Thread thread = new Thread(null, () -> serve(handler, socket), "battery-upstream", 256 * 1024);
                        thread.setDaemon(true);
                        thread.start();
                    }
                    catch (final IOException ex)
                    {
                        return;
                    }
                }
            }, "battery-upstream-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(final Handler handler, final Socket socket)
        {
            try (socket)
            {
                handler.handle(socket);
            }
            catch (final IOException ex)
            {
                errors.incrementAndGet();
            }
            finally
            {
                sockets.remove(socket);
            }
        }

        String address()
        {
            return "127.0.0.1:" + server.getLocalPort();
        }

        int accepted()
        {
            return accepted.get();
        }

        /** @return handlers that ended with an I/O error (a reset, for instance). */
        int errors()
        {
            return errors.get();
        }

        public void close() throws IOException
        {
            server.close();
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    /** Echo every byte; pass the FIN on once all is echoed. */
    static void echo(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final OutputStream out = socket.getOutputStream();
        final byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = in.read(buffer)) >= 0)
        {
            out.write(buffer, 0, read);
        }
        socket.shutdownOutput();
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
