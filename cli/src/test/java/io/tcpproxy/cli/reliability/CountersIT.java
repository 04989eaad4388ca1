package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Successive scrapes of {@code /metrics} while clients from several 127.0.0.x addresses move in and out of the
 * top K (issue 11, failure 5): no counter series ever goes down or vanishes, the client series and {@code other} add
 * up to the totals, the totals are exact to the byte and the connection, and the proxy's descriptors return to
 * their baseline.
 */
class CountersIT
{
    private static final boolean LONG = Boolean.getBoolean("reliability.long");

    /** One phase: connections from one client address, each echoing {@code bytes}. */
    private record Phase(String client, int connections, int bytes)
    {
    }

    @Test
    void countersStayMonotonicWhileTopKMembershipChanges() throws Exception
    {
        final List<Phase> phases = new ArrayList<>(List.of(
            new Phase("127.0.0.2", 5, 100), new Phase("127.0.0.3", 3, 100), new Phase("127.0.0.4", 2, 50_000),
            new Phase("127.0.0.5", 4, 200_000), new Phase("127.0.0.2", 2, 1), new Phase("127.0.0.6", 1, 1_000_000),
            new Phase("127.0.0.3", 6, 300_000), new Phase("127.0.0.7", 3, 10), new Phase("127.0.0.4", 5, 400_000)));
        if (LONG)
        {
            final SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < 200; i++)
            {
                phases.add(new Phase("127.0.0." + (2 + random.nextInt(30)), 1 + random.nextInt(10),
                    1 + random.nextInt(500_000)));
            }
        }
        try (TestUpstream upstream = TestUpstream.echo();
            ProxyChild proxy = ProxyChild.start("run", "--listen", "127.0.0.1:0", "--target", upstream.address(),
                "--metrics", "127.0.0.1:0", "--log-events", "off", "--metrics-client-labels", "true",
                "--metrics-client-top-k", "2"))
        {
            final List<Map<String, Double>> scrapes = new ArrayList<>();
            long connections = 1;
            long bytes = 1;
            echo(proxy, "127.0.0.1", 1); // warm-up: the threads, buffers and files the first connection brings
            scrapes.add(awaitSettled(proxy, connections, bytes));
            final long fdBaseline = proxy.openFds();

            for (final Phase phase : phases)
            {
                for (int i = 0; i < phase.connections(); i++)
                {
                    echo(proxy, phase.client(), phase.bytes());
                }
                connections += phase.connections();
                bytes += (long)phase.connections() * phase.bytes();
                scrapes.add(awaitSettled(proxy, connections, bytes));
                assertMonotonic(scrapes);
            }

            final Map<String, Double> last = scrapes.get(scrapes.size() - 1);
            assertEquals((double)connections, sumOf(last, "tcp_proxy_client_connections_total{"),
                "client series plus other add up to the total: " + last);
            assertEquals((double)bytes, sumOf(last, "tcp_proxy_client_bytes_upstream_total{"), last.toString());
            assertEquals((double)bytes, sumOf(last, "tcp_proxy_client_bytes_downstream_total{"), last.toString());
            awaitFds(proxy, fdBaseline);
        }
    }

    private static void echo(final ProxyChild proxy, final String clientAddress, final int bytes) throws IOException
    {
        final byte[] sent = new byte[bytes];
        new SplittableRandom(bytes).nextBytes(sent);
        try (Socket socket = new Socket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getByName(clientAddress), 0));
            socket.connect(proxy.address(), 10_000);
            socket.setSoTimeout(30_000);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                }
                catch (final IOException ignore)
                {
                    // the read below fails too
                }
            }, "counters-writer");
            writer.start();
            final byte[] received = socket.getInputStream().readAllBytes();
            if (!Arrays.equals(sent, received))
            {
                assertArrayEquals(sent, received);
            }
            writer.join(30_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** @return the first scrape showing exactly these totals and nothing active. */
    private static Map<String, Double> awaitSettled(final ProxyChild proxy, final long connections, final long bytes)
        throws IOException
    {
        final long deadlineNs = System.nanoTime() + ProxyChild.AWAIT.toNanos();
        while (true)
        {
            final Map<String, Double> scrape = Peers.samples(Peers.get(proxy.metricsPort(), "/metrics").body);
            if (scrape.getOrDefault("tcp_proxy_connections_total", -1.0) == connections &&
                scrape.getOrDefault("tcp_proxy_connections_active", -1.0) == 0 &&
                scrape.getOrDefault("tcp_proxy_bytes_upstream_total", -1.0) == bytes &&
                scrape.getOrDefault("tcp_proxy_bytes_downstream_total", -1.0) == bytes)
            {
                return scrape;
            }
            if (System.nanoTime() - deadlineNs >= 0)
            {
                fail("expected " + connections + " connections and " + bytes + " bytes each way, exactly: " +
                    scrape);
            }
            Await.sleepMs(50);
        }
    }

    /** Every counter series of an earlier scrape is in the last one, with a value at least as high. */
    private static void assertMonotonic(final List<Map<String, Double>> scrapes)
    {
        final Map<String, Double> last = scrapes.get(scrapes.size() - 1);
        final Map<String, Double> previous = scrapes.get(scrapes.size() - 2);
        for (final Map.Entry<String, Double> sample : previous.entrySet())
        {
            final String series = sample.getKey();
            if (!isCounter(series))
            {
                continue;
            }
            final Double now = last.get(series);
            assertTrue(now != null, "counter series vanished: " + series + " (was " + sample.getValue() + ")");
            assertTrue(now >= sample.getValue(), "counter went down: " + series + " " + sample.getValue() + " -> " +
                now);
        }
    }

    private static boolean isCounter(final String series)
    {
        final String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
        return name.endsWith("_total") || name.endsWith("_count") || name.endsWith("_sum") || name.endsWith("_bucket");
    }

    private static double sumOf(final Map<String, Double> scrape, final String prefix)
    {
        return scrape.entrySet().stream().filter((e) -> e.getKey().startsWith(prefix))
            .mapToDouble(Map.Entry::getValue).sum();
    }

    private static void awaitFds(final ProxyChild proxy, final long baseline) throws IOException
    {
        final long deadlineNs = System.nanoTime() + ProxyChild.AWAIT.toNanos();
        long now;
        while ((now = proxy.openFds()) > baseline)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                fail("the proxy holds " + now + " descriptors, baseline " + baseline);
            }
            Await.sleepMs(50);
        }
    }
}
