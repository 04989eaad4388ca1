package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals with transfers in flight: SIGTERM drains them, a second SIGTERM cuts them (with a reset, never a clean
 * end), SIGHUP neither stops the proxy nor cuts anything. SIGTERM, not SIGINT: background jobs start with SIGINT
 * ignored.
 */
class SignalsIT
{
    private static final int TRANSFERS = 10;
    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 32; // 2 MiB each, paced so that it is still running when the signal comes
    private static final Pattern STOPPED_ACCEPTING = Pattern.compile("\\[SHUTDOWN] stopped accepting.*");

    /** How one download ended. */
    private static final class Download
    {
        final AtomicLong received = new AtomicLong();
        final CompletableFuture<String> ending = new CompletableFuture<>();
    }

    /** What a test checks once its downloads are in flight and the signal was sent. */
    @FunctionalInterface
    private interface AfterSignal
    {
        void check(ProxyChild proxy, List<Download> downloads) throws Exception;
    }

    @Test
    void sigtermLetsTransfersInFlightComplete() throws Exception
    {
        signalDuringDownloads(SignalsIT::pacedStream, "TERM", (proxy, downloads) ->
        {
            proxy.awaitStdout(STOPPED_ACCEPTING);
            assertCompleted(downloads, proxy);
            assertEquals(0, proxy.awaitExit(), proxy.describe());
        });
    }

    @Test
    void secondSigtermCutsTransfersWithAReset() throws Exception
    {
        signalDuringDownloads(SignalsIT::endlessStream, "TERM", (proxy, downloads) ->
        {
            proxy.awaitStdout(STOPPED_ACCEPTING);
            Await.sleepMs(300);
            assertTrue(proxy.isAlive(), "the endless transfers hold the proxy in its grace period");
            proxy.signal("TERM");
            for (final Download download : downloads)
            {
                assertEquals("RST", download.ending.get(60, TimeUnit.SECONDS),
                    "a transfer cut by the proxy must not end like a complete one");
            }
            assertEquals(0, proxy.awaitExit(), proxy.describe());
        });
    }

    @Test
    void graceOverCutsAResponseNotYetSentWithAReset() throws Exception
    {
        // issue 11, failure 2: the upstream read the request to its end and answers late; the cut must show
        try (TestUpstream upstream = TestUpstream.start((socket) ->
        {
            socket.getInputStream().readAllBytes();
            Await.sleepMs(10_000);
            socket.getOutputStream().write(new byte[1024 * 1024]);
        });
            ProxyChild proxy = proxy(upstream, 1);
            Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port()))
        {
            client.setSoTimeout(60_000);
            client.getOutputStream().write("request".getBytes());
            client.shutdownOutput();
            Await.until("the upstream to get the connection", () -> upstream.accepted() >= 1, ProxyChild.AWAIT);
            proxy.signal("TERM");
            final Download download = new Download();
            drain(client, download);
            assertEquals("RST", download.ending.get(60, TimeUnit.SECONDS), "got " + download.received + " bytes");
            assertEquals(0, proxy.awaitExit(), proxy.describe());
        }
    }

    @Test
    void sighupNeitherStopsTheProxyNorCutsTransfers() throws Exception
    {
        signalDuringDownloads(SignalsIT::pacedStream, "HUP", (proxy, downloads) ->
        {
            assertCompleted(downloads, proxy);
            assertTrue(proxy.isAlive(), "SIGHUP must not stop the proxy" + proxy.describe());
            final Download after = startDownloads(proxy, 1).get(0);
            assertEquals("FIN", after.ending.get(60, TimeUnit.SECONDS));
            proxy.signal("TERM");
            assertEquals(0, proxy.awaitExit(), proxy.describe());
        });
    }

    /**
     * The proxy (60 s grace period) in front of an upstream serving {@code stream}, {@link #TRANSFERS} downloads in
     * flight through it, then {@code signal} sent to it and {@code check} run.
     */
    private static void signalDuringDownloads(
        final TestUpstream.Handler stream, final String signal, final AfterSignal check) throws Exception
    {
        try (TestUpstream upstream = TestUpstream.start(stream);
            ProxyChild proxy = proxy(upstream, 60))
        {
            final List<Download> downloads = startDownloads(proxy);
            proxy.signal(signal);
            check.check(proxy, downloads);
        }
    }

    private static List<Download> startDownloads(final ProxyChild proxy) throws IOException
    {
        return startDownloads(proxy, TRANSFERS);
    }

    /** Start downloads and return once each has received its first chunk (all are in flight). */
    private static List<Download> startDownloads(final ProxyChild proxy, final int count) throws IOException
    {
        final List<Download> downloads = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
            client.setSoTimeout(60_000);
            client.getOutputStream().write(1);
            final Download download = new Download();
            downloads.add(download);
            final Thread reader = new Thread(() ->
            {
                try (client)
                {
                    drain(client, download);
                }
                catch (final IOException ex)
                {
                    download.ending.complete("error: " + ex);
                }
            }, "signals-download");
            reader.setDaemon(true);
            reader.start();
        }
        Await.until("the downloads to start", () -> downloads.stream()
            .allMatch((download) -> download.received.get() >= CHUNK || download.ending.isDone()), ProxyChild.AWAIT);
        return downloads;
    }

    /** @return the proxy in a child process, forwarding to {@code upstream}, with no metrics endpoint. */
    private static ProxyChild proxy(final TestUpstream upstream, final int gracePeriodSecs) throws IOException
    {
        return ProxyChild.start("run", "--listen", "127.0.0.1:0", "--target", upstream.address(), "--metrics", "",
            "--grace-period-secs", Integer.toString(gracePeriodSecs));
    }

    /** Every download ended with a FIN after the whole paced stream. */
    private static void assertCompleted(final List<Download> downloads, final ProxyChild proxy) throws Exception
    {
        for (final Download download : downloads)
        {
            assertEquals("FIN", download.ending.get(60, TimeUnit.SECONDS), proxy.describe());
            assertEquals((long)CHUNK * CHUNKS, download.received.get());
        }
    }

    private static void drain(final Socket client, final Download download)
    {
        try
        {
            final InputStream in = client.getInputStream();
            final byte[] buffer = new byte[CHUNK];
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                download.received.addAndGet(read);
            }
            download.ending.complete("FIN");
        }
        catch (final SocketException ex)
        {
            download.ending.complete(String.valueOf(ex.getMessage()).contains("reset") ? "RST" : "error: " + ex);
        }
        catch (final IOException ex)
        {
            download.ending.complete("error: " + ex);
        }
    }

    /** After the request byte: {@link #CHUNKS} chunks, 50 ms apart, then a FIN. */
    private static void pacedStream(final Socket socket) throws IOException
    {
        socket.getInputStream().read();
        final OutputStream out = socket.getOutputStream();
        final byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < CHUNKS; i++)
        {
            out.write(chunk);
            Await.sleepMs(50);
        }
        socket.shutdownOutput();
        socket.getInputStream().readAllBytes();
    }

    /** A stream that never ends on its own. */
    private static void endlessStream(final Socket socket) throws IOException
    {
        socket.getInputStream().read();
        final OutputStream out = socket.getOutputStream();
        final byte[] chunk = new byte[CHUNK];
        while (true)
        {
            out.write(chunk);
            Await.sleepMs(50);
        }
    }
}
