package io.tcpproxy.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code tcp-proxy echo} in a child process, driven over loopback.
 */
class EchoServerIT
{
    static final Pattern ECHO_LINE = Pattern.compile("echo server listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private final List<JarProcess> processes = new ArrayList<>();

    @AfterEach
    void killProcesses()
    {
        for (final JarProcess process : processes)
        {
            process.close();
        }
    }

    @Test
    void shouldPrintTheRealPortWhenAskedForPortZero() throws Exception
    {
        final InetSocketAddress address = startEcho("--listen", "127.0.0.1:0");

        assertNotEquals(0, address.getPort());
        try (Socket socket = new Socket(address.getAddress(), address.getPort()))
        {
            assertTrue(socket.isConnected());
        }
    }

    @Test
    void shouldEchoOneMebibyteIntactAndThenHalfClose() throws Exception
    {
        final InetSocketAddress address = startEcho("--listen", "127.0.0.1:0", "--threads", "2");
        final byte[] data = randomBytes(1024 * 1024, 42);

        final byte[] received = EchoClient.sendAllThenHalfClose(address, data, JarProcess.TIMEOUT);

        assertEquals(data.length, received.length);
        assertArrayEquals(data, received);
    }

    @Test
    void shouldKeepEchoingAfterTheClientHalfClosesUntilDrained() throws Exception
    {
        final InetSocketAddress address = startEcho("--listen", "127.0.0.1:0", "--threads", "1");
        final byte[] hello = "hello, half-closed world".getBytes(StandardCharsets.US_ASCII);

        try (Socket socket = new Socket(address.getAddress(), address.getPort()))
        {
            socket.setSoTimeout((int)JarProcess.TIMEOUT.toMillis());
            final OutputStream out = socket.getOutputStream();
            out.write(hello);
            out.flush();
            final InputStream in = socket.getInputStream();
            assertArrayEquals(hello, EchoClient.readExactly(in, hello.length));

            out.write(hello);
            out.flush();
            socket.shutdownOutput();

            assertArrayEquals(hello, EchoClient.readExactly(in, hello.length));
            assertEquals(-1, in.read(), "the half-close is echoed as EOF once the bytes are back");
        }
    }

    @Test
    void shouldServeManyConnectionsAtOnce() throws Exception
    {
        final InetSocketAddress address = startEcho("--listen", "127.0.0.1:0", "--threads", "3");
        final int clients = 32;
        final ExecutorService executor = Executors.newFixedThreadPool(clients);
        try
        {
            final List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++)
            {
                final byte[] data = randomBytes(200_000 + i * 1000, i);
                results.add(executor.submit(() ->
                    Arrays.equals(data, EchoClient.sendAllThenHalfClose(address, data, JarProcess.TIMEOUT))));
            }
            for (final Future<Boolean> result : results)
            {
                assertTrue(result.get(JarProcess.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldExitZeroOnSigterm() throws Exception
    {
        shouldExitZeroOn("TERM");
    }

    @Test
    void shouldExitZeroOnSigint() throws Exception
    {
        shouldExitZeroOn("INT");
    }

    @Test
    void shouldFailToStartOnAPortInUse() throws Exception
    {
        final InetSocketAddress address = startEcho("--listen", "127.0.0.1:0");

        final JarProcess second = JarProcess.runToExit(dir, "echo", "--listen", "127.0.0.1:" + address.getPort());

        assertEquals(2, second.exitValue(), "a port in use is the configuration's doing" + second.describeOutput());
        assertEquals(List.of("tcp-proxy: error: cannot start the echo server on 127.0.0.1:" + address.getPort() +
            ": Address already in use"), second.stderrLines(), "no exception class names" + second.describeOutput());
    }

    private void shouldExitZeroOn(final String signal) throws Exception
    {
        final JarProcess echo = JarProcess.start(dir, "echo", "--listen", "127.0.0.1:0");
        processes.add(echo);
        final int port = Integer.parseInt(echo.awaitStdoutLine(ECHO_LINE, JarProcess.TIMEOUT).group(1));
        final Socket idle = new Socket("127.0.0.1", port);
        idle.setSoTimeout((int)JarProcess.TIMEOUT.toMillis());

        echo.signal(signal);

        assertEquals(0, echo.awaitExit(JarProcess.TIMEOUT), echo.describeOutput());
        assertEquals(-1, idle.getInputStream().read(), "open connections are closed");
        idle.close();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    private InetSocketAddress startEcho(final String... args) throws Exception
    {
        final String[] command = new String[args.length + 1];
        command[0] = "echo";
        System.arraycopy(args, 0, command, 1, args.length);
        final JarProcess echo = JarProcess.start(dir, command);
        processes.add(echo);
        final Matcher matcher = echo.awaitStdoutLine(ECHO_LINE, JarProcess.TIMEOUT);
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(matcher.group(1)));
    }

    static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
