package io.tcpproxy.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code tcp-proxy run} in a child process in front of {@code tcp-proxy echo} in another: the startup line,
 * traffic, and stopping on signals.
 */
class RunIT
{
    static final Pattern STARTUP_LINE = Pattern.compile(
        "tcp-proxy listening on 127\\.0\\.0\\.1:(\\d+), forwarding to (\\S+), (metrics disabled|metrics on " +
        "http://127\\.0\\.0\\.1:(\\d+)/metrics), (config (.+)|no config file \\(.*\\): built-in defaults)");

    private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    @TempDir
    Path dir;

    private final List<JarProcess> processes = new ArrayList<>();
    private int echoPort;

    @BeforeEach
    void startEcho() throws Exception
    {
        final JarProcess echo = start("echo", "--listen", "127.0.0.1:0", "--threads", "2");
        echoPort = Integer.parseInt(echo.awaitStdoutLine(EchoServerIT.ECHO_LINE, JarProcess.TIMEOUT).group(1));
    }

    @AfterEach
    void killProcesses()
    {
        for (final JarProcess process : processes)
        {
            process.close();
        }
    }

    @Test
    void shouldPrintTheRealPortsInTheStartupLine() throws Exception
    {
        final JarProcess proxy = start(
            "run", "--listen", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--target", "127.0.0.1:" + echoPort);

        final Matcher startup = proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT);

        assertNotEquals(0, Integer.parseInt(startup.group(1)));
        assertEquals("127.0.0.1:" + echoPort, startup.group(2));
        assertTrue(startup.group(3).startsWith("metrics on"), startup.group(0));
        assertNotEquals(0, Integer.parseInt(startup.group(4)));
    }

    @Test
    void shouldSayMetricsDisabledForAnEmptyMetricsAddress() throws Exception
    {
        final JarProcess proxy = startProxy();

        final Matcher startup = proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT);

        assertEquals("metrics disabled", startup.group(3));
    }

    @Test
    void shouldCarryTrafficBothWaysAndExitZeroOnSigterm() throws Exception
    {
        final JarProcess proxy = startProxy();
        final int port = Integer.parseInt(proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT).group(1));
        final byte[] data = EchoServerIT.randomBytes(1024 * 1024, 7);

        final byte[] received = EchoClient.sendAllThenHalfClose(
            new InetSocketAddress("127.0.0.1", port), data, JarProcess.TIMEOUT);

        assertArrayEquals(data, received);
        proxy.signal("TERM");
        assertEquals(0, proxy.awaitExit(JarProcess.TIMEOUT), proxy.describeOutput());
    }

    @Test
    void shouldLetFlagsOverrideTheConfigFile() throws Exception
    {
        Files.writeString(dir.resolve("proxy.toml"),
            "listen_addr = \"127.0.0.1:1\"\ntarget_addr = \"127.0.0.1:2\"\nmetrics_addr = \"\"\n" +
            "grace_period_secs = 1\n");
        final JarProcess proxy = start("--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + echoPort);

        final Matcher startup = proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT);

        assertNotEquals(1, Integer.parseInt(startup.group(1)));
        assertEquals("127.0.0.1:" + echoPort, startup.group(2));
        assertEquals("metrics disabled", startup.group(3), "metrics_addr comes from the file");
        assertEquals(dir.resolve("proxy.toml").toRealPath().toString(), startup.group(6), "the file it read");
    }

    @Test
    void shouldNameTheConfigFileGivenWithConfig() throws Exception
    {
        final Path file = dir.resolve("sub").resolve("edge.toml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "metrics_addr = \"\"\n");
        final JarProcess proxy = start("--config", "sub/../sub/edge.toml", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:" + echoPort);

        final Matcher startup = proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT);

        assertEquals(file.toRealPath().toString(), startup.group(6), startup.group(0));
    }

    @Test
    void shouldSayWhenNoConfigFileIsReadAndTheDefaultsApply() throws Exception
    {
        final JarProcess proxy = startProxy();

        final Matcher startup = proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT);

        assertEquals(null, startup.group(6), startup.group(0));
        assertTrue(startup.group(5).startsWith("no config file"), startup.group(0));
    }

    @Test
    void shouldStopWithinTheGracePeriodWhenConnectionsStayOpen() throws Exception
    {
        final JarProcess proxy = startProxy("--grace-period-secs", "1");
        final int port = Integer.parseInt(proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT).group(1));

        try (Socket client = connectAndPing(port))
        {
            final long startNs = System.nanoTime();
            proxy.signal("INT");

            assertEquals(0, proxy.awaitExit(JarProcess.TIMEOUT), proxy.describeOutput());
            final Duration took = Duration.ofNanos(System.nanoTime() - startNs);
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "took " + took);
            assertEquals(-1, readOrEof(client.getInputStream()), "the open connection is closed");
        }
    }

    @Test
    void shouldStopAtOnceOnASecondSignalDuringTheGracePeriod() throws Exception
    {
        final JarProcess proxy = startProxy("--grace-period-secs", "600");
        final int port = Integer.parseInt(proxy.awaitStdoutLine(STARTUP_LINE, JarProcess.TIMEOUT).group(1));

        try (Socket client = connectAndPing(port))
        {
            proxy.signal("INT");
            awaitConnectRefused(port, proxy);
            assertTrue(proxy.isAlive(), "the open connection holds the proxy in its grace period");

            proxy.signal("INT");

            assertEquals(0, proxy.awaitExit(JarProcess.TIMEOUT), proxy.describeOutput());
            assertEquals(-1, readOrEof(client.getInputStream()), "the open connection is closed");
        }
    }

    private JarProcess startProxy(final String... extraArgs) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of(
            "run", "--listen", "127.0.0.1:0", "--metrics-addr", "", "--target", "127.0.0.1:" + echoPort));
        args.addAll(List.of(extraArgs));
        return start(args.toArray(new String[0]));
    }

    private JarProcess start(final String... args) throws Exception
    {
        final JarProcess process = JarProcess.start(dir, args);
        processes.add(process);
        return process;
    }

    private static Socket connectAndPing(final int port) throws Exception
    {
        final Socket client = new Socket("127.0.0.1", port);
        client.setSoTimeout((int)JarProcess.TIMEOUT.toMillis());
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        final OutputStream out = client.getOutputStream();
        out.write(ping);
        out.flush();
        assertArrayEquals(ping, EchoClient.readExactly(client.getInputStream(), ping.length));
        return client;
    }

    private static int readOrEof(final InputStream in)
    {
        try
        {
            return in.read();
        }
        catch (final SocketException ex)
        {
            return -1; // a reset is as closed as a FIN for this purpose
        }
        catch (final java.io.IOException ex)
        {
            fail("unexpected " + ex);
            return 0;
        }
    }

    private static void awaitConnectRefused(final int port, final JarProcess proxy) throws Exception
    {
        final long deadlineNs = System.nanoTime() + JarProcess.TIMEOUT.toNanos();
        while (System.nanoTime() < deadlineNs)
        {
            try (Socket probe = new Socket())
            {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            }
            catch (final SocketException refusedOrReset)
            {
                // refused, or reset when the probe landed in the backlog of a listener being closed
                return;
            }
            LockSupport.parkNanos(POLL_INTERVAL_NS);
        }
        fail("the proxy kept accepting after SIGINT" + proxy.describeOutput());
    }
}
