package io.tcpproxy;

import io.tcpproxy.config.AccessLogFormat;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code access_log} wired into a running proxy: one line per closed connection naming the real client, the
 * upstream server, the bytes, the reason and which side ended it; reopened after a rename.
 */
class AccessLogProxyTest
{
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private Proxy proxy;

    @AfterEach
    void tearDown() throws Exception
    {
        if (proxy != null)
        {
            proxy.close();
        }
        if (upstream != null)
        {
            upstream.close();
        }
    }

    @Test
    void textLineNamesClientUpstreamBytesReasonAndSide() throws Exception
    {
        final Path log = dir.resolve("access.log");
        start(log, AccessLogFormat.TEXT);
        final int clientPort = exchange(100);

        final List<String> lines = awaitLines(log, 1);
        assertEquals(1, lines.size(), String.join("\n", lines));
        // client [time] wN/upstream connect_ms/duration_ms up down termination reason active
        final Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+) \\[[^]]+] w\\d+/127\\.0\\.0\\.1:(\\d+) " +
            "(\\d+)/(\\d+) (\\d+) (\\d+) ([A-Z]{2}) (\\S+) (\\d+)").matcher(lines.get(0));
        assertTrue(m.matches(), lines.get(0));
        assertEquals(clientPort, Integer.parseInt(m.group(1)));
        assertEquals(upstream.port(), Integer.parseInt(m.group(2)));
        assertEquals(100, Long.parseLong(m.group(5)));
        assertEquals(100, Long.parseLong(m.group(6)));
        assertEquals("CD", m.group(7), "the client closed first, in the data phase");
        assertEquals(CloseReason.CLIENT_FIN.label(), m.group(8));
    }

    @Test
    void jsonLinePerClosedConnection() throws Exception
    {
        final Path log = dir.resolve("access.json");
        start(log, AccessLogFormat.JSON);
        final int firstPort = exchange(10);
        final int secondPort = exchange(2000);

        final List<String> lines = awaitLines(log, 2);
        assertEquals(2, lines.size(), String.join("\n", lines));
        final String upstreamText = "\"upstream\":\"127.0.0.1:" + upstream.port() + "\"";
        for (final String line : lines)
        {
            assertTrue(line.startsWith("{") && line.endsWith("}"), line);
            assertTrue(line.contains(upstreamText), line);
            assertTrue(line.contains("\"reason\":\"" + CloseReason.CLIENT_FIN.label() + "\""), line);
            assertTrue(line.contains("\"ended_by\":\"client\""), line);
        }
        final String first = lines.stream().filter(l -> l.contains(":" + firstPort + "\"")).findFirst().orElseThrow();
        final String second = lines.stream().filter(l -> l.contains(":" + secondPort + "\"")).findFirst().orElseThrow();
        assertTrue(first.contains("\"bytes_upstream\":10,\"bytes_downstream\":10"), first);
        assertTrue(second.contains("\"bytes_upstream\":2000,\"bytes_downstream\":2000"), second);
        assertTrue(first.contains("\"client\":\"127.0.0.1:" + firstPort + "\""), first);
    }

    @Test
    void reopenAfterRenameWritesToTheNewFile() throws Exception
    {
        final Path log = dir.resolve("access.log");
        final Path rotated = dir.resolve("access.log.1");
        start(log, AccessLogFormat.TEXT);
        exchange(1);
        awaitLines(log, 1);

        Files.move(log, rotated);
        proxy.reopenAccessLog();
        exchange(2);

        final List<String> fresh = awaitLines(log, 1);
        assertEquals(1, fresh.size(), String.join("\n", fresh));
        assertTrue(fresh.get(0).contains(" 2 2 CD "), fresh.get(0));
        assertEquals(1, Files.readAllLines(rotated).size(), "the rotated file keeps only the line before the rename");
    }

    @Test
    void unwritablePathIsAConfigErrorAtStart() throws Exception
    {
        startUpstream();
        final Path log = dir.resolve("gone").resolve("access.log");
        final Path parent = Files.createDirectory(dir.resolve("gone"));
        final Config config = config(log, AccessLogFormat.TEXT); // checked (writable) when built
        Files.delete(parent); // ... and gone by the time the proxy starts
        final ConfigException ex = assertThrows(ConfigException.class, () -> Proxy.start(config, quiet()));
        assertEquals("access_log", ex.key());
        assertTrue(ex.getMessage().contains(log.toString()), ex.getMessage());
    }

    private void start(final Path log, final AccessLogFormat format) throws IOException
    {
        startUpstream();
        proxy = Proxy.start(config(log, format), quiet());
    }

    private Config config(final Path log, final AccessLogFormat format)
    {
        return Config.builder()
            .listenAddress("127.0.0.1:0")
            .targetAddress("127.0.0.1:" + upstream.port())
            .metricsAddress("")
            .workers(2)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0)
            .accessLog(log.toString())
            .accessLogFormat(format)
            .build();
    }

    private static PrintStream quiet()
    {
        return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    }

    private void startUpstream() throws IOException
    {
        upstream = TestUpstream.echo();
    }

    /** Send {@code bytes}, read the echo, close first (client FIN); return the client's port. */
    private int exchange(final int bytes) throws IOException
    {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.localAddress().getPort()))
        {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(new byte[bytes]);
            final byte[] echoed = socket.getInputStream().readNBytes(bytes);
            assertEquals(bytes, echoed.length);
            socket.shutdownOutput();
            assertEquals(-1, socket.getInputStream().read());
            return socket.getLocalPort();
        }
    }

    private static List<String> awaitLines(final Path log, final int count) throws IOException
    {
        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        List<String> lines = List.of();
        while (System.nanoTime() - deadlineNs < 0)
        {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            if (lines.size() >= count)
            {
                return lines;
            }
            sleep();
        }
        fail("waited for " + count + " lines in " + log + ", have: " + lines);
        return lines;
    }

    private static void sleep()
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
