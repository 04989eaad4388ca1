package io.tcpproxy.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code tcp-proxy run} under a low file-descriptor limit (util-linux prlimit): when accept fails with EMFILE the
 * proxy must pause accepting on a timer instead of spinning on a ready listener, keep relaying what it has, and
 * accept again once descriptors come back.
 */
class AcceptPauseIT
{
    /** Enough for the JVM to start (it holds about a dozen descriptors when idle) and for ~50 proxied pairs. */
    private static final int FD_LIMIT = 128;
    private static final String ACCEPT_PAUSED_PREFIX = "[WARN] accepting paused for 100ms: too many open files";
    private static final long STEP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long CPU_WINDOW_NS = TimeUnit.SECONDS.toNanos(2);
    private static final double MAX_CPU_SHARE_WHILE_PAUSED = 0.5;
    private static final int CLIENT_READ_POLL_MS = 20;
    private static final int KEPT_CLIENTS = 2;

    private enum Outcome
    {
        ECHOED, PAUSED, CLOSED
    }

    @TempDir
    Path dir;

    private final List<Socket> clients = new ArrayList<>();
    private EchoUpstream upstream;
    private JarProcess proxy;

    @AfterEach
    void tearDown() throws IOException
    {
        for (final Socket client : clients)
        {
            client.close();
        }
        if (null != proxy)
        {
            proxy.close();
        }
        if (null != upstream)
        {
            upstream.close();
        }
    }

    @Test
    void shouldPauseAcceptingWithoutSpinningWhenOutOfFileDescriptorsThenRecover() throws Exception
    {
        final Path prlimit = findOnPath("prlimit");
        upstream = new EchoUpstream();
        final InetSocketAddress proxyAddress = startProxyWithEvenFreeDescriptors(prlimit);

        final List<Socket> relayed = new ArrayList<>();
        Socket pending = null;
        byte[] pendingPing = null;
        while (null == pending)
        {
            assertTrue(relayed.size() <= FD_LIMIT / 2,
                "the proxy relayed " + relayed.size() + " connections under a limit of " + FD_LIMIT + " descriptors" +
                proxy.describeOutput());
            final Socket client = connect(proxyAddress);
            final byte[] ping = message("ping " + relayed.size());
            client.getOutputStream().write(ping);
            final Outcome outcome = awaitEchoOrPause(client, ping);
            if (Outcome.CLOSED == outcome)
            {
                fail("the proxy closed client " + relayed.size() + " without relaying it" + proxy.describeOutput());
            }
            if (Outcome.PAUSED == outcome)
            {
                pending = client;
                pendingPing = ping;
            }
            else
            {
                relayed.add(client);
            }
        }
        assertTrue(relayed.size() > KEPT_CLIENTS, "only " + relayed.size() + " connections before EMFILE");
        assertTrue(proxy.isAlive(), "the proxy died at EMFILE" + proxy.describeOutput());

        final long pausesBefore = pausesSoFar();
        final long cpuTicksBefore = cpuTicks(proxy.pid());
        final long windowStartNs = System.nanoTime();
        final long windowEndNs = windowStartNs + CPU_WINDOW_NS;
        while (System.nanoTime() - windowEndNs < 0)
        {
            LockSupport.parkNanos(windowEndNs - System.nanoTime());
        }
        final long cpuTicksAfter = cpuTicks(proxy.pid());
        final long wallNs = System.nanoTime() - windowStartNs;
        awaitNewWarningLine(pausesBefore);
        final long pauses = pausesSoFar() - pausesBefore;
        final long wallMs = TimeUnit.NANOSECONDS.toMillis(wallNs);
        final double cpuShare = (cpuTicksAfter - cpuTicksBefore) * (1e9 / clockTicksPerSecond()) / wallNs;

        assertTrue(pauses > 0, "EMFILE did not persist through the CPU window" + proxy.describeOutput());
        assertTrue(pauses <= (wallMs + 1000) / 100 + 5, pauses + " accept pauses in " + wallMs + " ms: not pausing 100 ms");
        assertTrue(cpuShare < MAX_CPU_SHARE_WHILE_PAUSED, String.format(
            "the proxy used %.0f%% of a core while out of descriptors (a busy accept loop?)", cpuShare * 100));
        assertEquals(0, pending.getInputStream().available(), "relayed while out of descriptors?");
        assertTrue(proxy.isAlive(), "the proxy died while out of descriptors" + proxy.describeOutput());

        assertEchoes(relayed.get(0), message("still relaying"));

        for (int i = relayed.size() - 1; i >= KEPT_CLIENTS; i--)
        {
            relayed.remove(i).close();
        }
        awaitBytes(pending, pendingPing);
        assertEchoes(pending, message("the pending connection relays"));
        assertEchoes(connect(proxyAddress), message("a new connection"));
        for (final Socket kept : relayed)
        {
            assertEchoes(kept, message("kept"));
        }
        assertTrue(proxy.isAlive(), proxy.describeOutput());

        for (final Socket client : clients)
        {
            client.close();
        }
        proxy.signal("TERM");
        assertEquals(0, proxy.awaitExit(JarProcess.TIMEOUT), proxy.describeOutput());
    }

    /**
     * Each proxied connection costs two descriptors. With an odd number free, the last accept would succeed and
     * the upstream socket fail instead, so EMFILE would never reach accept: pick the limit that leaves an even
     * number free.
     */
    private InetSocketAddress startProxyWithEvenFreeDescriptors(final Path prlimit) throws Exception
    {
        for (int limit = FD_LIMIT; ; limit++)
        {
            proxy = JarProcess.start(dir, List.of(prlimit.toString(), "--nofile=" + limit + ":" + limit, "--"),
                "run", "--workers", "1", "--metrics-addr", "", "--listen", "127.0.0.1:0",
                "--target", "127.0.0.1:" + upstream.port());
            final int port = Integer.parseInt(proxy.awaitStdoutLine(RunIT.STARTUP_LINE, JarProcess.TIMEOUT).group(1));
            final long openDescriptors = openDescriptors(proxy.pid());
            if ((limit - openDescriptors) % 2 == 0)
            {
                return new InetSocketAddress("127.0.0.1", port);
            }
            assertEquals(FD_LIMIT, limit, "an odd number of descriptors free at both limits: the idle count changed");
            proxy.signal("TERM");
            assertEquals(0, proxy.awaitExit(JarProcess.TIMEOUT), proxy.describeOutput());
        }
    }

    private Socket connect(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        clients.add(socket);
        socket.connect(address, (int)TimeUnit.NANOSECONDS.toMillis(STEP_TIMEOUT_NS));
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(CLIENT_READ_POLL_MS);
        return socket;
    }

    /**
     * Wait for the message to come back, or for the proxy to report an accept pause while it has not.
     */
    private Outcome awaitEchoOrPause(final Socket client, final byte[] message) throws IOException
    {
        final InputStream in = client.getInputStream();
        final byte[] received = new byte[message.length];
        int length = 0;
        final long deadlineNs = System.nanoTime() + STEP_TIMEOUT_NS;
        while (length < received.length)
        {
            try
            {
                final int bytesRead = in.read(received, length, received.length - length);
                if (bytesRead < 0)
                {
                    return Outcome.CLOSED;
                }
                length += bytesRead;
            }
            catch (final SocketTimeoutException ex)
            {
                if (pausesSoFar() > 0)
                {
                    return Outcome.PAUSED;
                }
            }
            catch (final SocketException ex)
            {
                return Outcome.CLOSED;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no echo and no accept pause within " + TimeUnit.NANOSECONDS.toSeconds(STEP_TIMEOUT_NS) +
                    " s" + proxy.describeOutput());
            }
        }
        assertArrayEquals(message, received, "echo");
        return Outcome.ECHOED;
    }

    private void assertEchoes(final Socket client, final byte[] message) throws IOException
    {
        client.getOutputStream().write(message);
        awaitBytes(client, message);
    }

    private void awaitBytes(final Socket client, final byte[] expected) throws IOException
    {
        final InputStream in = client.getInputStream();
        final byte[] received = new byte[expected.length];
        int length = 0;
        final long deadlineNs = System.nanoTime() + STEP_TIMEOUT_NS;
        while (length < received.length)
        {
            try
            {
                final int bytesRead = in.read(received, length, received.length - length);
                if (bytesRead < 0)
                {
                    fail("EOF after " + length + " of " + expected.length + " bytes" + proxy.describeOutput());
                }
                length += bytesRead;
            }
            catch (final SocketTimeoutException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    fail("no echo within " + TimeUnit.NANOSECONDS.toSeconds(STEP_TIMEOUT_NS) + " s (" + length +
                        " of " + expected.length + " bytes)" + proxy.describeOutput());
                }
            }
        }
        assertArrayEquals(expected, received);
    }

    /** @return the pause count of the latest warning line (the collector prints at most one a second). */
    private long pausesSoFar()
    {
        long pauses = 0;
        for (final String line : proxy.stdoutLines())
        {
            if (line.startsWith(ACCEPT_PAUSED_PREFIX))
            {
                pauses = Long.parseLong(line.substring(line.lastIndexOf("pauses: ") + "pauses: ".length()).trim());
            }
        }
        return pauses;
    }

    private void awaitNewWarningLine(final long pausesBefore)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pausesSoFar() == pausesBefore && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }


    private static byte[] message(final String text)
    {
        return (text + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static long openDescriptors(final long pid) throws IOException
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return fds.count();
        }
    }

    /**
     * @return utime + stime of the whole process, in clock ticks.
     */
    private static long cpuTicks(final long pid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of proc(5)
    }

    private static long clockTicksPerSecond() throws IOException, InterruptedException
    {
        final Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        final String output = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertTrue(getconf.waitFor(10, TimeUnit.SECONDS) && 0 == getconf.exitValue(), "getconf CLK_TCK: " + output);
        return Long.parseLong(output);
    }

    private static Path findOnPath(final String program)
    {
        final String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin:/usr/sbin:/sbin";
        for (final String directory : path.split(":"))
        {
            if (!directory.isEmpty())
            {
                final Path candidate = Path.of(directory, program);
                if (Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        return fail(program + " is not installed: this test needs util-linux's prlimit to run the proxy under a " +
            "low file-descriptor limit (Debian: apt-get install util-linux)");
    }

    /**
     * A thread-per-connection echo server: each connection copies what it reads back until EOF, then closes.
     */
    private static final class EchoUpstream implements AutoCloseable
    {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        EchoUpstream() throws IOException
        {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::acceptLoop, "echo-upstream-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        private void acceptLoop()
        {
            try
            {
                while (true)
                {
                    final Socket socket = server.accept();
                    sockets.add(socket);
                    final Thread echo = new Thread(() -> echo(socket), "echo-upstream");
                    echo.setDaemon(true);
                    echo.start();
                }
            }
            catch (final IOException ignore)
            {
                // closed
            }
        }

        private void echo(final Socket socket)
        {
            try (socket)
            {
                final InputStream in = socket.getInputStream();
                final OutputStream out = socket.getOutputStream();
                final byte[] buffer = new byte[8192];
                int bytesRead;
                while ((bytesRead = in.read(buffer)) >= 0)
                {
                    out.write(buffer, 0, bytesRead);
                }
            }
            catch (final IOException ignore)
            {
                // the proxy went away
            }
            finally
            {
                sockets.remove(socket);
            }
        }

        public void close() throws IOException
        {
            server.close();
            for (final Socket socket : sockets)
            {
                socket.close();
            }
            try
            {
                acceptor.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
