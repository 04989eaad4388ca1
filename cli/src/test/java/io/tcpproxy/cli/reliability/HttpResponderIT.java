package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics endpoint under abuse: slowloris, oversized heads, garbage, pipelining and hundreds of kept-alive
 * scrapers at once, while a probe asks {@code /healthz} every 100 ms and must get 200 every time (issue 11,
 * failure 3: a flood must never make a healthy proxy look down).
 */
class HttpResponderIT
{
    private static final boolean LONG = Boolean.getBoolean("reliability.long");
    private static final int SLOWLORIS = 300;
    private static final int SCRAPERS = LONG ? 500 : 300;
    private static final int SCRAPES_EACH = LONG ? 20 : 3;

    @Test
    void healthzAnswers200ThroughoutTheAbuse() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            ProxyChild proxy = ProxyChild.start("run", "--listen", "127.0.0.1:0", "--target", upstream.address(),
                "--metrics", "127.0.0.1:0", "--log-events", "off"))
        {
            final int port = proxy.metricsPort();
            final Queue<String> probeFailures = new ConcurrentLinkedQueue<>();
            final AtomicInteger probes = new AtomicInteger();
            final AtomicBoolean abusing = new AtomicBoolean(true);
            final Thread probe = new Thread(() -> probe(port, abusing, probes, probeFailures), "healthz-probe");
            probe.setDaemon(true);
            probe.start();
            final List<Socket> slow = new ArrayList<>();
            final ExecutorService pool = Executors.newFixedThreadPool(SCRAPERS);
            try
            {
                for (int i = 0; i < SLOWLORIS; i++)
                {
                    slow.add(slowlorisStart(port));
                }
                oversizedHeadGets431(port);
                garbageGetsA4xxOrAClose(port);
                pipelinedRequestsAnswerInOrder(port);

                final List<Future<Integer>> scrapers = new ArrayList<>();
                for (int i = 0; i < SCRAPERS; i++)
                {
                    scrapers.add(pool.submit(() -> scrapeKeptAlive(port, slow)));
                }
                for (final Future<Integer> scraper : scrapers)
                {
                    assertEquals(SCRAPES_EACH, scraper.get(3, TimeUnit.MINUTES));
                }
            }
            finally
            {
                abusing.set(false);
                pool.shutdownNow();
                for (final Socket socket : slow)
                {
                    socket.close();
                }
                probe.join(30_000);
            }
            assertTrue(probes.get() > 0, "the probe never ran");
            assertEquals(List.of(), new ArrayList<>(probeFailures), probes + " probes");
            assertEquals(200, Peers.get(port, "/healthz").status);
            assertTrue(proxy.isAlive(), proxy.describe());
        }
    }

    private static void probe(
        final int port, final AtomicBoolean abusing, final AtomicInteger probes, final Queue<String> failures)
    {
        while (abusing.get())
        {
            try
            {
                final Peers.Response response = Peers.get(port, "/healthz");
                if (response.status != 200)
                {
                    failures.add(response.status + " " + response.body.trim());
                }
            }
            catch (final IOException ex)
            {
                failures.add(ex.toString());
            }
            probes.incrementAndGet();
            Await.sleepMs(100);
        }
    }

    /** A request head that never ends: a start, then nothing (the sender is the test's later touches). */
    private static Socket slowlorisStart(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: slow\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static void oversizedHeadGets431(final int port) throws IOException
    {
        try (Socket socket = connect(port))
        {
            final String big = "x".repeat(64 * 1024);
            socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: big\r\nX-Big: " + big + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            assertEquals(431, Peers.read(socket.getInputStream()).status);
        }
        catch (final IOException ex)
        {
            // the responder may stop reading and close before the whole head is written (a reset on our write)
            assertTrue(String.valueOf(ex.getMessage()).contains("reset") ||
                String.valueOf(ex.getMessage()).contains("Broken pipe"), ex.toString());
        }
    }

    private static void garbageGetsA4xxOrAClose(final int port) throws IOException
    {
        final byte[] garbage = new byte[2048];
        new SplittableRandom(3).nextBytes(garbage);
        garbage[garbage.length - 4] = '\r';
        garbage[garbage.length - 3] = '\n';
        garbage[garbage.length - 2] = '\r';
        garbage[garbage.length - 1] = '\n';
        try (Socket socket = connect(port))
        {
            socket.getOutputStream().write(garbage);
            final Peers.Response response = Peers.read(socket.getInputStream());
            assertTrue(response.status >= 400 && response.status < 500, "status " + response.status);
        }
        catch (final IOException ex)
        {
            // closed without an answer is fine for bytes that are not HTTP; a hang is not (the read times out)
            assertTrue(!(ex instanceof SocketTimeoutException), ex.toString());
        }
    }

    private static void pipelinedRequestsAnswerInOrder(final int port) throws IOException
    {
        try (Socket socket = connect(port))
        {
            socket.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: p\r\n\r\n" +
                "GET /metrics HTTP/1.1\r\nHost: p\r\n\r\n" +
                "GET /nope HTTP/1.1\r\nHost: p\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final InputStream in = socket.getInputStream();
            assertEquals(200, Peers.read(in).status);
            final Peers.Response metrics = Peers.read(in);
            assertEquals(200, metrics.status);
            assertTrue(metrics.body.contains("tcp_proxy_connections_total"), metrics.body);
            assertEquals(404, Peers.read(in).status);
        }
    }

    /**
     * Scrape {@code /metrics} on one kept-alive connection; a connection shed for capacity is reopened (shedding is
     * the responder's defence), a wrong answer fails. Touches a slowloris connection between scrapes.
     */
    private static int scrapeKeptAlive(final int port, final List<Socket> slow) throws IOException
    {
        int done = 0;
        int reconnects = 0;
        Socket socket = connect(port);
        try
        {
            while (done < SCRAPES_EACH)
            {
                try
                {
                    Peers.send(socket, "/metrics");
                    final Peers.Response response = Peers.read(socket.getInputStream());
                    assertEquals(200, response.status, response.body);
                    assertTrue(response.body.contains("tcp_proxy_connections_total"));
                    done++;
                }
                catch (final IOException shed)
                {
                    assertTrue(++reconnects < 50, "shed 50 times: " + shed);
                    socket.close();
                    socket = connect(port);
                }
                touchSlowloris(slow, done);
            }
        }
        finally
        {
            socket.close();
        }
        return done;
    }

    private static void touchSlowloris(final List<Socket> slow, final int seed)
    {
        final Socket one = slow.get(Math.floorMod(Thread.currentThread().getName().hashCode() + seed, slow.size()));
        try
        {
            one.getOutputStream().write('a');
        }
        catch (final IOException ex)
        {
            // shed or timed out by the responder: that is its defence working
        }
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }
}
