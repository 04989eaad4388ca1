package io.tcpproxy.http;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals by reason as an operator sees them: {@code tcp_proxy_connections_rejected_total{reason}} in /metrics,
 * {@code rejected_connections} (the total) and {@code rejected_by_reason} in the JSON, and one summed console line.
 */
class AccessMetricsEndToEndTest
{
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);

    @Test
    @Timeout(60)
    void shouldCountRefusalsByReasonInTextJsonAndConsole() throws Exception
    {
        final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
        final AtomicInteger upstreamAccepts = new AtomicInteger();
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Proxy proxy = Proxy.start(LoopbackConfig.withMetrics(upstream.getLocalPort())
                .workers(1)
                .maxConnections(1)
                .deny(List.of("127.0.0.2"))
                .logEvents(LogEvents.CONNECTIONS)
                .metricsLogIntervalSecs(0)
                .build(), new PrintStream(consoleBytes, true, StandardCharsets.UTF_8)))
        {
            final Thread acceptor = new Thread(() -> acceptAll(upstream, upstreamAccepts), "test-upstream");
            acceptor.setDaemon(true);
            acceptor.start();

            refused("127.0.0.2", proxy.localAddress());
            refused("127.0.0.2", proxy.localAddress());
            try (Socket held = connect("127.0.0.1", proxy.localAddress()))
            {
                await(() -> upstreamAccepts.get() == 1, "the held client's upstream connect");
                refused("127.0.0.1", proxy.localAddress()); // max_connections = 1
                await(() -> proxy.metrics().rejectedConnections() == 3, "three refusals counted");
                assertTrue(held.isConnected());
            }
            assertEquals(1, upstreamAccepts.get(), "the denied clients cost no upstream connect");

            final InetSocketAddress metrics = proxy.metricsAddress();
            final ExpositionParser.Family rejected = ExpositionParser.parse(TestHttp.get(metrics, "/metrics").body())
                .get("tcp_proxy_connections_rejected_total");
            assertEquals(2, rejected.value(rejected.name, "reason", "denied"));
            assertEquals(1, rejected.value(rejected.name, "reason", "max_connections"));
            assertEquals(0, rejected.value(rejected.name, "reason", "client_limit"));
            assertEquals(0, rejected.value(rejected.name, "reason", "rate_limited"));

            @SuppressWarnings("unchecked")
            final Map<String, Object> json =
                (Map<String, Object>)Json.parse(TestHttp.get(metrics, "/metrics?format=json").body());
            assertEquals(3L, json.get("rejected_connections"));
            assertEquals(Map.of("max_connections", 1L, "denied", 2L, "client_limit", 0L, "rate_limited", 0L),
                json.get("rejected_by_reason"));
            assertEquals(1L, json.get("total_connections"), "refused clients are not accepted connections");

            assertEquals(1, proxy.metrics().rejectedConnections(RejectReason.MAX_CONNECTIONS));
        }
        final String console = consoleBytes.toString(StandardCharsets.UTF_8);
        // summed lines (at most one a second), not one per refusal: the counts add up to the three refusals
        long printed = 0;
        for (final String line : console.split("\n"))
        {
            if (line.startsWith("[METRICS] ConnectionRejected x"))
            {
                printed += Long.parseLong(line.substring("[METRICS] ConnectionRejected x".length(), line.indexOf(' ',
                    "[METRICS] ConnectionRejected x".length())));
            }
        }
        assertEquals(3, printed, console);
        assertTrue(console.contains("denied: "), console);
        assertTrue(console.contains("max_connections: 1"), console);
        assertTrue(console.contains("| rejected: 3\n"), console);
        assertEquals(0, count(console, "ConnectionOpened 127.0.0.2"), console);
    }

    private static void acceptAll(final ServerSocket upstream, final AtomicInteger accepts)
    {
        while (!upstream.isClosed())
        {
            try (Socket socket = upstream.accept())
            {
                accepts.incrementAndGet();
                final InputStream in = socket.getInputStream();
                while (in.read() >= 0)
                {
                    // hold until the proxy closes it
                }
            }
            catch (final IOException ex)
            {
                // closed
            }
        }
    }

    private static Socket connect(final String localIp, final InetSocketAddress proxy) throws IOException
    {
        final Socket socket = new Socket();
        socket.setSoTimeout(20_000);
        socket.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
        socket.connect(proxy, 5_000);
        return socket;
    }

    /** Connect and expect the proxy to end the connection at once (the reset may even beat the connect). */
    private static void refused(final String localIp, final InetSocketAddress proxy) throws IOException
    {
        try (Socket socket = connect(localIp, proxy))
        {
            assertTrue(socket.getInputStream().read() < 0, "refused with a FIN");
        }
        catch (final SocketException ex)
        {
            // refused with a reset
        }
    }

    private static int count(final String text, final String part)
    {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1))
        {
            count++;
        }
        return count;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(5));
    }
}
