package io.tcpproxy.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the proxy's RSS and descriptors from {@code /proc} and its totals from {@code /metrics?format=json}.
 */
final class ProxyProbe
{
    private final long pid;
    private final URI metrics;

    ProxyProbe(final long pid, final String metricsUrl)
    {
        this.pid = pid;
        this.metrics = URI.create(metricsUrl);
    }

    SoakSample sample(final double elapsedSecs) throws IOException
    {
        final String json = fetchJson();
        return new SoakSample(elapsedSecs, rssBytes(), openFds(), number(json, "active_connections"),
            number(json, "total_connections"), number(json, "bytes_upstream"), number(json, "bytes_downstream"));
    }

    private long rssBytes() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    private long openFds() throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return fds.count();
        }
    }

    /** A plain HTTP/1.1 GET over a socket, so the probe adds exactly one short connection to the metrics port. */
    private String fetchJson() throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(metrics.getHost(), metrics.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + metrics.getPath() + "?format=json HTTP/1.1\r\nHost: " + metrics.getHost() + ":" +
                metrics.getPort() + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!response.startsWith("HTTP/1.1 200"))
            {
                throw new IOException("metrics answered: " + response.lines().findFirst().orElse("(nothing)"));
            }
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    static long number(final String json, final String key) throws IOException
    {
        final Matcher matcher = Pattern.compile("\"" + key + "\"\\s*:\\s*(\\d+)").matcher(json);
        if (!matcher.find())
        {
            throw new IOException("no \"" + key + "\" in the metrics JSON");
        }
        return Long.parseLong(matcher.group(1));
    }
}
