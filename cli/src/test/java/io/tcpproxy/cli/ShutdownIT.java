package io.tcpproxy.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Graceful shutdown of {@code tcp-proxy run} in a child process, driven by real signals sent with kill(1), in front
 * of an upstream in this JVM ({@link ShutdownUpstream}) so both ends of each proxied connection are observable.
 */
class ShutdownIT
{
    static final Path TRANSCRIPT = Path.of("target", "shutdown-transcript.txt").toAbsolutePath();

    private static final int TRANSFER_BYTES = 50 * 1024 * 1024;
    private static final long TRANSFER_BYTES_PER_SEC = 16L * 1024 * 1024;
    private static final long SIGNAL_AFTER_BYTES = 4L * 1024 * 1024;
    /** The download stops reading here until the test resumes it: the transfer is in flight whatever the load. */
    private static final long HOLD_AT_BYTES = 8L * 1024 * 1024;
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private static final Pattern CONNECTION_OPENED = Pattern.compile("\\[METRICS] ConnectionOpened .*");
    private static final Pattern ALL_CLOSED = Pattern.compile("\\[SHUTDOWN] all connections closed");
    private static final Pattern GRACE_OVER = Pattern.compile("\\[SHUTDOWN] grace period over: closing .*");
    private static final Pattern CUT_SHORT =
        Pattern.compile("\\[SHUTDOWN] grace period cut short: closing 1 connection");
    private static final Pattern CLOSED_BY_SHUTDOWN =
        Pattern.compile("\\[METRICS] ConnectionClosed .* \\| reason: shutdown \\| .*");
    private static final Pattern FINAL_SUMMARY = Pattern.compile("\\[METRICS] final: .*");
    private static final Pattern STOPPED = Pattern.compile("\\[SHUTDOWN] stopped");
    private static final Pattern SIGHUP_RELOADING = Pattern.compile(Pattern.quote(SignalHooks.HUP_RELOADING));
    private static final Pattern RELOAD_APPLIED = Pattern.compile("\\[RELOAD] applied: .*");
    private static final Pattern SIGUSR1_REOPENING = Pattern.compile(Pattern.quote(SignalHooks.USR1_REOPENING));
    private static final Pattern SIGINT_IGNORED = Pattern.compile(Pattern.quote(RunCommand.SIGINT_IGNORED_WARNING));
    private static final Pattern COUNTDOWN =
        Pattern.compile("\\[SHUTDOWN] draining: (\\d+) connections? open, (\\d+)s left");

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private JarProcess proxy;
    private int port;
    private int metricsPort;
    private String commandLine;

    @AfterEach
    void closeResources() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "INT", "TERM" })
    void shouldCompleteATransferInProgressAndExitAsSoonAsItEnds(final String signal) throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.stream(TRANSFER_BYTES));
        startProxy(upstream, "--grace-period-secs", "120");
        final ThrottledDownload download = downloadUnderWay();
        proxy.awaitStdoutLine(CONNECTION_OPENED, LINE_TIMEOUT);

        final int linesBeforeSignal = proxy.stdoutLines().size();
        final long signalNs = System.nanoTime();
        proxy.signal(signal);
        proxy.awaitStdoutLine(stoppedAccepting(120, 1), LINE_TIMEOUT);
        final long receivedWhenStopped = download.received();

        assertTrue(receivedWhenStopped < TRANSFER_BYTES,
            "the transfer must still be in progress when the proxy stops accepting: " + receivedWhenStopped);
        assertDownloadsWhole(download, upstream);

        // exits when the transfer ends, long before the grace period would have run out
        assertEquals(0, proxy.awaitExit(Duration.ofSeconds(60)), proxy.describeOutput());
        final Duration took = Duration.ofNanos(System.nanoTime() - signalNs);
        assertTrue(took.compareTo(Duration.ofSeconds(90)) < 0, "exit took " + took + " of a 120s grace period");
        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, stoppedAccepting(120, 1), ALL_CLOSED, FINAL_SUMMARY, STOPPED);
        assertNoLine(lines, GRACE_OVER);
        assertNoLine(lines, CLOSED_BY_SHUTDOWN);
        assertInOrder(lines, Pattern.compile("\\[METRICS] ConnectionClosed .* \\| reason: upstream_fin \\| .*"));
        assertEquals(List.of(), upstream.errors());

        if ("INT".equals(signal))
        {
            writeTranscript(lines, linesBeforeSignal);
        }
    }

    @Test
    void shouldReloadOnSighupWithATransferInFlightAndStillStopGracefullyOnSigterm() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.stream(TRANSFER_BYTES));
        startProxy(upstream, "--grace-period-secs", "120");
        final ThrottledDownload download = downloadUnderWay();
        proxy.awaitStdoutLine(CONNECTION_OPENED, LINE_TIMEOUT);

        proxy.signal("HUP");
        proxy.awaitStdoutLine(SIGHUP_RELOADING, LINE_TIMEOUT);
        proxy.awaitStdoutLine(RELOAD_APPLIED, LINE_TIMEOUT);
        proxy.signal("USR1");
        proxy.awaitStdoutLine(SIGUSR1_REOPENING, LINE_TIMEOUT);
        final long receivedAfterSignals = download.received();
        assertTrue(receivedAfterSignals < TRANSFER_BYTES,
            "the transfer must still be in flight when the signals arrive: " + receivedAfterSignals);
        assertDownloadsWhole(download, upstream);
        assertTrue(proxy.isAlive(), "SIGHUP must not stop the proxy" + proxy.describeOutput());
        assertEquals(200, httpGet("/healthz").status, "not draining after SIGHUP");
        assertNoLine(proxy.stdoutLines(), Pattern.compile("\\[SHUTDOWN] .*"));

        proxy.signal("TERM");
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, SIGHUP_RELOADING, RELOAD_APPLIED, Pattern.compile("\\[SHUTDOWN] stopped accepting; .*"), FINAL_SUMMARY,
            STOPPED);
        assertInOrder(lines, Pattern.compile("\\[METRICS] ConnectionClosed .* \\| reason: upstream_fin \\| .*"));
        assertNoLine(lines, CLOSED_BY_SHUTDOWN);
        assertEquals(List.of(), upstream.errors());
    }

    @Test
    void shouldWarnAtStartWhenSigintIsIgnoredAndStillStopOnSigterm() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.echo());
        proxy = JarProcess.startWithSigintIgnored(dir,
            "run", "--listen", "127.0.0.1:0", "--metrics-addr", "", "--target", upstream.target());
        resources.add(proxy);
        proxy.awaitStdoutLine(RunIT.STARTUP_LINE, JarProcess.TIMEOUT);
        proxy.awaitStdoutLine(SIGINT_IGNORED, LINE_TIMEOUT);

        proxy.signal("TERM");
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        assertInOrder(proxy.stdoutLines(), SIGINT_IGNORED, STOPPED);
    }

    @Test
    void shouldNotWarnAboutSigintWhenItIsHandled() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.echo());
        startProxy(upstream);
        proxy.signal("INT");
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        assertNoLine(proxy.stdoutLines(), SIGINT_IGNORED);
    }

    /**
     * The program docs/embedding.md shows: a shutdown hook calling {@code shutdown(grace)} drains a transfer in
     * flight on SIGTERM. The JVM ends a process stopped by a signal with 128 + the signal (143), hooks or not.
     */
    @Test
    void shouldDrainAnEmbeddedProxyThroughItsShutdownHookOnSigterm() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.stream(TRANSFER_BYTES));
        proxy = JarProcess.startMain(dir, EmbeddedProxyExample.class, "127.0.0.1:0", upstream.target());
        resources.add(proxy);
        port = Integer.parseInt(proxy.awaitStdoutLine(
            Pattern.compile("Proxy listening on 127\\.0\\.0\\.1:(\\d+)"), JarProcess.TIMEOUT).group(1));
        final ThrottledDownload download = downloadUnderWay();

        proxy.signal("TERM");
        proxy.awaitStdoutLine(stoppedAccepting(30, 1), LINE_TIMEOUT);
        assertDownloadsWhole(download, upstream);

        assertEquals(128 + 15, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        assertInOrder(proxy.stdoutLines(), stoppedAccepting(30, 1), ALL_CLOSED, FINAL_SUMMARY, STOPPED);
        assertNoLine(proxy.stdoutLines(), CLOSED_BY_SHUTDOWN);
    }

    @Test
    void shouldRefuseNewConnectionsAndReportDrainingWhileAnOpenOneKeepsWorking() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.echo());
        startProxy(upstream, "--grace-period-secs", "30");
        final Socket client = connect(port);
        assertEchoes(client, "before");
        assertEquals(200, httpGet("/healthz").status);
        assertTrue(httpGet("/metrics").body.contains("\ntcp_proxy_draining 0\n"), "draining gauge before");

        proxy.signal("INT");
        proxy.awaitStdoutLine(stoppedAccepting(30, 1), LINE_TIMEOUT);

        final ConnectException refused = assertThrows(ConnectException.class, () ->
        {
            try (Socket probe = new Socket())
            {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
        });
        assertTrue(refused.getMessage().contains("refused"), refused.toString());
        assertEchoes(client, "during the drain");
        final HttpResponse health = httpGet("/healthz");
        assertEquals(503, health.status, health.body);
        assertEquals("draining\n", health.body);
        final String metrics = httpGet("/metrics").body;
        assertTrue(metrics.contains("\ntcp_proxy_draining 1\n"), metrics);
        assertTrue(proxy.isAlive(), "the open connection holds the proxy in its grace period");

        client.shutdownOutput();
        assertEquals(-1, client.getInputStream().read(), "the upstream's half-close is relayed back");
        client.close();

        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, stoppedAccepting(30, 1), ALL_CLOSED, FINAL_SUMMARY, STOPPED);
        assertInOrder(lines, Pattern.compile("\\[METRICS] ConnectionClosed .* \\| reason: client_fin \\| .*"));
        assertEquals(1, upstream.accepted(), "the refused connect never reached the upstream");
        assertEquals(List.of(), upstream.errors());
    }

    @ParameterizedTest
    @ValueSource(strings = { "INT", "TERM" })
    void shouldCloseAConnectionThatNeverEndsAtTheDeadline(final String signal) throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.hold());
        startProxy(upstream, "--grace-period-secs", "2");
        final Socket client = connectHeld(upstream);

        final long signalNs = System.nanoTime();
        proxy.signal(signal);
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        final Duration took = Duration.ofNanos(System.nanoTime() - signalNs);

        // a lower bound only: a loaded machine may exit late, the lines below show it closed at the deadline
        assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0, "the grace period was cut short: " + took);
        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, stoppedAccepting(2, 1), GRACE_OVER, FINAL_SUMMARY, STOPPED);
        assertInOrder(lines, GRACE_OVER);
        assertInOrder(lines, CLOSED_BY_SHUTDOWN, FINAL_SUMMARY);
        assertNoLine(lines, ALL_CLOSED);
        assertClosed(client);
        await(() -> upstream.peerClosed() == 1, "the upstream side to be closed");
    }

    @Test
    void shouldEndTheGracePeriodOnASecondSigint() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.hold());
        startProxy(upstream, "--grace-period-secs", "600");
        final Socket client = connectHeld(upstream);

        proxy.signal("INT");
        proxy.awaitStdoutLine(stoppedAccepting(600, 1), LINE_TIMEOUT);
        assertTrue(proxy.isAlive(), "the open connection holds the proxy in its grace period");
        proxy.signal("INT");

        // exiting at all within this deadline, in a 600 s grace period, is the second signal's doing
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, stoppedAccepting(600, 1), CUT_SHORT, FINAL_SUMMARY, STOPPED);
        assertInOrder(lines, CLOSED_BY_SHUTDOWN, FINAL_SUMMARY);
        assertClosed(client);
    }

    @Test
    void shouldCloseAtOnceWithAZeroGracePeriod() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.hold());
        startProxy(upstream, "--grace-period-secs", "0");
        final Socket client = connectHeld(upstream);

        // the held connection never ends by itself: exiting at all shows it was closed without waiting, and the
        // lines show the order (no grace period, no countdown)
        proxy.signal("INT");
        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());

        final List<String> lines = proxy.stdoutLines();
        assertInOrder(lines, Pattern.compile("\\[SHUTDOWN] stopped accepting; no grace period"),
            Pattern.compile("\\[SHUTDOWN] closing 1 connection"), FINAL_SUMMARY, STOPPED);
        assertInOrder(lines, CLOSED_BY_SHUTDOWN, FINAL_SUMMARY);
        assertNoLine(lines, GRACE_OVER);
        assertNoLine(lines, COUNTDOWN);
        assertClosed(client);
    }

    @Test
    void shouldPrintACountdownNoMoreOftenThanEveryFewSeconds() throws Exception
    {
        final ShutdownUpstream upstream = upstream(ShutdownUpstream.hold());
        startProxy(upstream, "--grace-period-secs", "7");
        connectHeld(upstream);

        proxy.signal("INT");
        proxy.awaitStdoutLine(stoppedAccepting(7, 1), LINE_TIMEOUT);
        // the seconds left are the proxy's own clock, so the spacing is checked on them, not on when lines arrive
        final List<Integer> secondsLeft = new ArrayList<>();
        while (true)
        {
            final Matcher line = proxy.awaitStdoutLine(
                Pattern.compile(COUNTDOWN.pattern() + "|" + GRACE_OVER.pattern()), LINE_TIMEOUT);
            if (line.group(1) == null)
            {
                break;
            }
            assertEquals("1", line.group(1), line.group(0));
            final int left = Integer.parseInt(line.group(2));
            assertTrue(left >= 0 && left <= 3, "at least 4 s into a 7 s grace period: " + line.group(0));
            secondsLeft.add(left);
        }

        assertEquals(0, proxy.awaitExit(LINE_TIMEOUT), proxy.describeOutput());
        assertTrue(secondsLeft.size() >= 1, "a countdown line during 7s" + proxy.describeOutput());
        assertTrue(secondsLeft.size() <= 1, "progress lines at most every 4 s in 7 s: " + secondsLeft);
        assertEquals(secondsLeft.size(), count(proxy.stdoutLines(), COUNTDOWN));
    }

    /** @return a throttled download through the proxy on {@link #port}, once it has got going. */
    private ThrottledDownload downloadUnderWay() throws Exception
    {
        final ThrottledDownload download = new ThrottledDownload(port);
        await(() -> download.received() >= SIGNAL_AFTER_BYTES, "the download to get going");
        return download;
    }

    /** Let the download run to its end: every byte the upstream sent arrives, with the same SHA-256. */
    private static void assertDownloadsWhole(final ThrottledDownload download, final ShutdownUpstream upstream)
        throws Exception
    {
        download.resume();
        final byte[] receivedDigest = download.digest().get(60, TimeUnit.SECONDS);
        assertEquals(TRANSFER_BYTES, download.received(), "bytes received");
        assertEquals(hex(upstream.sentDigest().get(30, TimeUnit.SECONDS)), hex(receivedDigest), "SHA-256");
    }

    private ShutdownUpstream upstream(final ShutdownUpstream upstream)
    {
        resources.add(upstream);
        return upstream;
    }

    private void startProxy(final ShutdownUpstream upstream, final String... extraArgs) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of(
            "run", "--listen", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--target", upstream.target()));
        args.addAll(List.of(extraArgs));
        commandLine = String.join(" ", args);
        proxy = JarProcess.start(dir, args.toArray(new String[0]));
        resources.add(proxy);
        final Matcher startup = proxy.awaitStdoutLine(RunIT.STARTUP_LINE, JarProcess.TIMEOUT);
        port = Integer.parseInt(startup.group(1));
        metricsPort = Integer.parseInt(startup.group(4));
    }

    private Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        resources.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout((int)LINE_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    /**
     * A connection whose upstream never answers nor closes; returns once the upstream has its first bytes.
     */
    private Socket connectHeld(final ShutdownUpstream upstream) throws Exception
    {
        final Socket client = connect(port);
        final OutputStream out = client.getOutputStream();
        out.write("hello".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await(() -> upstream.bytesRead() == 5, "the upstream to receive the first bytes");
        proxy.awaitStdoutLine(CONNECTION_OPENED, LINE_TIMEOUT);
        return client;
    }

    private static void assertEchoes(final Socket client, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        final OutputStream out = client.getOutputStream();
        out.write(bytes);
        out.flush();
        assertArrayEquals(bytes, EchoClient.readExactly(client.getInputStream(), bytes.length), text);
    }

    private static void assertClosed(final Socket client) throws IOException
    {
        final InputStream in = client.getInputStream();
        try
        {
            assertEquals(-1, in.read(), "the proxy closed the connection");
        }
        catch (final SocketException reset)
        {
            // a reset is as closed as a FIN here
        }
    }

    private void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + LINE_TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what + (proxy == null ? "" : proxy.describeOutput()));
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }

    private static Pattern stoppedAccepting(final int graceSecs, final int connections)
    {
        return Pattern.compile(Pattern.quote("[SHUTDOWN] stopped accepting; waiting up to " + graceSecs + "s for " +
            connections + " connection" + (connections == 1 ? "" : "s")));
    }

    private void assertInOrder(final List<String> lines, final Pattern... patterns)
    {
        int from = 0;
        for (final Pattern pattern : patterns)
        {
            int found = -1;
            for (int i = from; i < lines.size(); i++)
            {
                if (pattern.matcher(lines.get(i)).matches())
                {
                    found = i;
                    break;
                }
            }
            if (found < 0)
            {
                fail("no stdout line matching /" + pattern + "/ after line " + from + proxy.describeOutput());
            }
            from = found + 1;
        }
    }

    private void assertNoLine(final List<String> lines, final Pattern pattern)
    {
        assertEquals(0, count(lines, pattern), "lines matching /" + pattern + "/" + proxy.describeOutput());
    }

    private static int count(final List<String> lines, final Pattern pattern)
    {
        int count = 0;
        for (final String line : lines)
        {
            if (pattern.matcher(line).matches())
            {
                count++;
            }
        }
        return count;
    }

    private HttpResponse httpGet(final String path) throws IOException
    {
        final HttpURLConnection connection =
            (HttpURLConnection)URI.create("http://127.0.0.1:" + metricsPort + path).toURL().openConnection();
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        try
        {
            final int status = connection.getResponseCode();
            final InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            final String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
            return new HttpResponse(status, text);
        }
        finally
        {
            connection.disconnect();
        }
    }

    private void writeTranscript(final List<String> lines, final int linesBeforeSignal) throws IOException
    {
        final List<String> transcript = new ArrayList<>();
        transcript.add("$ java -jar tcp-proxy.jar " + commandLine);
        transcript.addAll(lines.subList(0, linesBeforeSignal));
        transcript.add("^C");
        transcript.addAll(lines.subList(linesBeforeSignal, lines.size()));
        transcript.addAll(proxy.stderrLines());
        transcript.add("$ echo $?");
        transcript.add(Integer.toString(proxy.exitValue()));
        Files.write(TRANSCRIPT, transcript, StandardCharsets.UTF_8);
    }

    private static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    private static final class HttpResponse
    {
        final int status;
        final String body;

        HttpResponse(final int status, final String body)
        {
            this.status = status;
            this.body = body;
        }
    }

    /**
     * Reads one connection to EOF on its own thread at about {@link #TRANSFER_BYTES_PER_SEC}, so a 50 MiB transfer
     * lasts long enough to be signalled in the middle of, and hashes what it receives.
     */
    private final class ThrottledDownload
    {
        private final AtomicLong received = new AtomicLong();
        private final CompletableFuture<byte[]> digest = new CompletableFuture<>();
        private final CountDownLatch resumed = new CountDownLatch(1);

        ThrottledDownload(final int port) throws IOException
        {
            final Socket socket = connect(port);
            final Thread thread = new Thread(() -> run(socket), "throttled-download");
            thread.setDaemon(true);
            thread.start();
        }

        long received()
        {
            return received.get();
        }

        CompletableFuture<byte[]> digest()
        {
            return digest;
        }

        /** Read on past {@link #HOLD_AT_BYTES}. */
        void resume()
        {
            resumed.countDown();
        }

        private void run(final Socket socket)
        {
            try
            {
                final MessageDigest sha256 = ShutdownUpstream.sha256();
                final InputStream in = socket.getInputStream();
                final byte[] chunk = new byte[64 * 1024];
                final long startNs = System.nanoTime();
                int n;
                final int holdAt = (int)HOLD_AT_BYTES;
                while ((n = in.read(chunk, 0, received.get() < holdAt ?
                    (int)Math.min(chunk.length, holdAt - received.get()) : chunk.length)) >= 0)
                {
                    sha256.update(chunk, 0, n);
                    final long total = received.addAndGet(n);
                    if (total == holdAt && !resumed.await(120, TimeUnit.SECONDS))
                    {
                        throw new IOException("not resumed within 120 s");
                    }
                    final long dueNs = startNs + total * TimeUnit.SECONDS.toNanos(1) / TRANSFER_BYTES_PER_SEC;
                    final long aheadNs = dueNs - System.nanoTime();
                    if (aheadNs > 0)
                    {
                        LockSupport.parkNanos(aheadNs); // pacing the reader, not waiting for a condition
                    }
                }
                socket.close();
                digest.complete(sha256.digest());
            }
            catch (final IOException | RuntimeException ex)
            {
                digest.completeExceptionally(ex);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                digest.completeExceptionally(ex);
            }
        }
    }
}
