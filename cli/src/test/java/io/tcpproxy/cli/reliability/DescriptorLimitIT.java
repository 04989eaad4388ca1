package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code RLIMIT_NOFILE = 256} and 400 clients (issue 11, failure 6): clients beyond what the descriptors allow wait
 * (or are refused), never accepted and then closed; no local EMFILE counted as an upstream failure.
 */
class DescriptorLimitIT
{
    private static final int CLIENTS = 400;

    @Test
    void clientsBeyondTheDescriptorLimitWaitAndAreAllServed() throws Exception
    {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (Debian: util-linux)");
        try (TestUpstream upstream = TestUpstream.echo();
            ProxyChild proxy = ProxyChild.start(List.of("/usr/bin/prlimit", "--nofile=256:256", "--"), "run",
                "--listen", "127.0.0.1:0", "--target", upstream.address(), "--metrics", "127.0.0.1:0",
                "--log-events", "off"))
        {
            final Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            try
            {
                final List<Future<?>> results = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++)
                {
                    final byte[] message = ("client " + i).getBytes();
                    results.add(clients.submit(() -> outcomes.merge(exchange(proxy, message), 1, Integer::sum)));
                }
                for (final Future<?> result : results)
                {
                    result.get(3, TimeUnit.MINUTES);
                }
            }
            finally
            {
                clients.shutdownNow();
            }
            final Map<String, Double> metrics = metricsOnceClosed(proxy, CLIENTS - outcomes.getOrDefault("refused", 0));
            final String closes = closesByReason(metrics) + proxy.describe();
            assertEquals(CLIENTS, outcomes.values().stream().mapToInt(Integer::intValue).sum(), outcomes + closes);
            assertEquals(CLIENTS, outcomes.getOrDefault("served", 0) + outcomes.getOrDefault("refused", 0),
                "every client is served or refused, never accepted and dropped: " + outcomes + closes);
            assertEquals(0.0, metrics.getOrDefault("tcp_proxy_connections_closed_total{reason=\"connect_error\"}", 0.0),
                metrics.toString());
            assertEquals(0.0, metrics.getOrDefault("tcp_proxy_connections_closed_total{reason=\"local_fd_limit\"}",
                0.0), "the cap keeps two descriptors per accepted client: " + metrics);
            for (final Map.Entry<String, Double> sample : metrics.entrySet())
            {
                if (sample.getKey().startsWith("tcp_proxy_upstream_connect_failures_total"))
                {
                    assertEquals(0.0, sample.getValue(), "no local EMFILE as an upstream failure: " + sample);
                }
            }
            assertTrue(metrics.getOrDefault("tcp_proxy_accept_pauses_total", 0.0) > 0,
                "the clients must have reached the descriptor cap: " + metrics);
            assertTrue(proxy.isAlive(), proxy.describe());
        }
    }

    /**
     * @return the proxy's metrics once its closes add up to {@code accepted} (a close is published a moment after
     *     the client saw it), or as they are after {@link ProxyChild#AWAIT}.
     */
    private static Map<String, Double> metricsOnceClosed(final ProxyChild proxy, final int accepted) throws Exception
    {
        final long deadlineNs = System.nanoTime() + ProxyChild.AWAIT.toNanos();
        while (true)
        {
            final Map<String, Double> metrics = Peers.samples(Peers.get(proxy.metricsPort(), "/metrics").body);
            final double closed = metrics.entrySet().stream()
                .filter(sample -> sample.getKey().startsWith("tcp_proxy_connections_closed_total"))
                .mapToDouble(Map.Entry::getValue).sum();
            if (closed >= accepted || System.nanoTime() - deadlineNs > 0)
            {
                return metrics;
            }
            Await.sleepMs(100);
        }
    }

    /** @return the close reasons counted so far, those not 0 (what a client accepted and dropped was closed as). */
    private static String closesByReason(final Map<String, Double> metrics)
    {
        final StringBuilder closes = new StringBuilder(" closes:");
        metrics.forEach((name, value) ->
        {
            if (value > 0 && (name.startsWith("tcp_proxy_connections_closed_total") ||
                name.startsWith("tcp_proxy_connections_rejected_total") ||
                name.startsWith("tcp_proxy_upstream_connect_failures_total")))
            {
                closes.append(' ').append(name).append('=').append(value.longValue());
            }
        });
        return closes.toString();
    }

    /** @return "served" (echoed), "refused" (connect refused) or what went wrong. */
    private static String exchange(final ProxyChild proxy, final byte[] message)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 120_000);
            socket.setSoTimeout(120_000);
            socket.getOutputStream().write(message);
            final byte[] echoed = socket.getInputStream().readNBytes(message.length);
            if (echoed.length < message.length)
            {
                return "accepted then closed";
            }
            assertArrayEquals(message, echoed);
            Await.sleepMs(1000); // held, so that the clients outnumber the descriptors at once
            return "served";
        }
        catch (final ConnectException ex)
        {
            return "refused";
        }
        catch (final IOException ex)
        {
            return "error: " + ex.getMessage();
        }
    }
}
