package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import static io.tcpproxy.testsupport.FreePorts.freePort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGHUP with a changed {@code listen_addr} (issue 16), on the real jar: the proxy moves to the new port, the old one
 * refuses, a connection opened before keeps relaying; a port in use rejects the reload, printed and counted, and the
 * proxy keeps serving where it was.
 */
class ListenReloadIT
{
    private static final String RELOADS = "tcp_proxy_config_reloads_total{result=\"%s\"}";

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void sighupMovesTheListenerAndAPortInUseIsRejected() throws Exception
    {
        final Path file = dir.resolve("proxy.toml");
        try (TestUpstream upstream = TestUpstream.echo())
        {
            write(file, "127.0.0.1:0", upstream);
            try (ProxyChild proxy = ProxyChild.start("run", "--config", file.toString()))
            {
                final int oldPort = proxy.port();
                try (Socket before = connect(oldPort))
                {
                    roundTrip(before, "before");

                    final int newPort = freePort();
                    write(file, "127.0.0.1:" + newPort, upstream);
                    proxy.signal("HUP");
                    proxy.awaitStdout(Pattern.compile(Pattern.quote("[RELOAD] applied: listen_addr 127.0.0.1:" +
                        oldPort + " → 127.0.0.1:" + newPort + " (config ") + "[0-9a-f]+\\)"));
                    try (Socket moved = connect(newPort))
                    {
                        roundTrip(moved, "on the new port");
                    }
                    assertThrows(ConnectException.class, () -> connect(oldPort).close(), "the old port still accepts");
                    roundTrip(before, "opened before the reload");

                    try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
                    {
                        write(file, "127.0.0.1:" + other.getLocalPort(), upstream);
                        proxy.signal("HUP");
                        proxy.awaitStdout(Pattern.compile(Pattern.quote("[RELOAD] rejected: listen_addr: cannot listen " +
                            "on 127.0.0.1:" + other.getLocalPort() + ": ") + ".*Address already in use.*"));
                    }
                    try (Socket still = connect(newPort))
                    {
                        roundTrip(still, "still on the new port after the rejected reload");
                    }
                    roundTrip(before, "and the first connection still relays");
                    awaitReloadCounts(proxy, 1.0, 1.0);
                }
                proxy.signal("TERM");
                assertEquals(0, proxy.awaitExit(), proxy.describe());
            }
        }
    }

    /** The counters are published by the collector a moment after the reload: poll within a generous deadline. */
    private static void awaitReloadCounts(final ProxyChild proxy, final double applied, final double rejected)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + ProxyChild.AWAIT.toNanos();
        Map<String, Double> samples = Map.of();
        while (System.nanoTime() - deadlineNs < 0)
        {
            samples = Peers.samples(Peers.get(proxy.metricsPort(), "/metrics").body);
            if (Double.valueOf(applied).equals(samples.get(String.format(RELOADS, "applied"))) &&
                Double.valueOf(rejected).equals(samples.get(String.format(RELOADS, "rejected"))))
            {
                return;
            }
            Await.sleepMs(50);
        }
        assertEquals(applied, samples.get(String.format(RELOADS, "applied")), samples.toString());
        assertEquals(rejected, samples.get(String.format(RELOADS, "rejected")), samples.toString());
    }

    private static void write(final Path file, final String listen, final TestUpstream upstream) throws IOException
    {
        Files.writeString(file, "listen_addr = \"" + listen + "\"\n" +
            "target_addr = \"" + upstream.address() + "\"\n" +
            "metrics_addr = \"127.0.0.1:0\"\n" +
            "workers = 2\n" +
            "log_events = \"off\"\n" +
            "grace_period_secs = 5\n");
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 30_000);
            socket.setSoTimeout(30_000);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    private static void roundTrip(final Socket socket, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(bytes);
        final InputStream in = socket.getInputStream();
        final byte[] back = new byte[bytes.length];
        int read = 0;
        while (read < back.length)
        {
            final int n = in.read(back, read, back.length - read);
            assertTrue(n >= 0, "closed after " + read + " bytes");
            read += n;
        }
        assertArrayEquals(bytes, back);
    }
}
