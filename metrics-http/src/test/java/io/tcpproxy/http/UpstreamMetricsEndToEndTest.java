package io.tcpproxy.http;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.Json;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream pool figures through the real HTTP endpoint: two echo servers and one that refuses, round robin; the
 * per-server series in the Prometheus text and the {@code upstreams} rows in the JSON agree with what was sent.
 */
class UpstreamMetricsEndToEndTest
{
    private static final int CLIENTS = 6;
    private static final byte[] MESSAGE = "hello upstream\n".getBytes(StandardCharsets.US_ASCII);
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);

    private final TestUpstream a = TestUpstream.echo();
    private final TestUpstream b = TestUpstream.echo();
    private Proxy proxy;

    UpstreamMetricsEndToEndTest() throws IOException
    {
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (proxy != null)
        {
            proxy.close();
        }
        a.close();
        b.close();
    }

    @Test
    void shouldShowEachServersFiguresInTextAndJson() throws Exception
    {
        final String dead = "127.0.0.1:" + deadPort();
        final String addrA = a.address();
        final String addrB = b.address();
        proxy = Proxy.start(Config.builder()
            .listenAddress("127.0.0.1:0")
            .metricsAddress("127.0.0.1:0")
            .workers(1)
            .logEvents(Config.LogEvents.OFF)
            .connectAttempts(3)
            .upstreams(List.of(Upstream.of(addrA), Upstream.of(dead), Upstream.of(addrB)))
            .build(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        for (int i = 0; i < CLIENTS; i++)
        {
            try (Socket client = new Socket())
            {
                client.setSoTimeout(10_000);
                client.connect(proxy.localAddress(), 10_000);
                client.getOutputStream().write(MESSAGE);
                assertArrayEquals(MESSAGE, client.getInputStream().readNBytes(MESSAGE.length));
            }
        }
        await(() -> proxy.activeConnections() == 0 && proxy.metrics().totalConnections() == CLIENTS &&
            proxy.metrics().bytesUpstream() == (long)CLIENTS * MESSAGE.length, "every client counted");

        final String metricsPath = "/metrics";
        await(() -> sum(text(metricsPath), "tcp_proxy_upstream_bytes_received_total") == CLIENTS * MESSAGE.length,
            "per-server bytes in the text");
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(
            TestHttp.get(proxy.metricsAddress(), metricsPath).body());
        final double toA = value(families, "tcp_proxy_upstream_connections_total", "upstream", addrA);
        final double toB = value(families, "tcp_proxy_upstream_connections_total", "upstream", addrB);
        assertEquals(CLIENTS, toA + toB);
        assertEquals(0, value(families, "tcp_proxy_upstream_connections_total", "upstream", dead));
        final double refused = value(families, "tcp_proxy_upstream_server_connect_failures_total",
            "upstream", dead, "reason", "connect_refused");
        assertTrue(refused >= 1, "the dead server was tried");
        assertEquals(refused, value(families, "tcp_proxy_upstream_connect_retries_total"));
        assertEquals(1, value(families, "tcp_proxy_upstream_up", "upstream", addrA));
        assertEquals(1, value(families, "tcp_proxy_upstream_pool_info", "upstream", addrB, "pool", "default"));
        assertEquals(toA * MESSAGE.length, value(families, "tcp_proxy_upstream_bytes_sent_total", "upstream", addrA));
        assertEquals(0, value(families, "tcp_proxy_connections_closed_total", "reason", "connect_refused"),
            "no client saw the refused server");

        final Map<?, ?> json = (Map<?, ?>)Json.parse(
            TestHttp.get(proxy.metricsAddress(), "/metrics?format=json").body());
        final List<?> rows = (List<?>)json.get("upstreams");
        assertEquals(3, rows.size(), String.valueOf(rows));
        long jsonTotal = 0;
        for (final Object row : rows)
        {
            final Map<?, ?> server = (Map<?, ?>)row;
            jsonTotal += (Long)server.get("total_connections");
            if (server.get("upstream").equals(addrA))
            {
                assertEquals((long)toA, server.get("total_connections"));
                assertEquals((long)(toA * MESSAGE.length), server.get("bytes_received"));
                assertEquals(Boolean.TRUE, server.get("up"));
            }
        }
        assertEquals(CLIENTS, jsonTotal);
        assertEquals((long)refused, json.get("upstream_connect_retries"));
    }

    private String text(final String path)
    {
        try
        {
            return TestHttp.get(proxy.metricsAddress(), path).body();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static double sum(final String text, final String name)
    {
        final ExpositionParser.Family family = ExpositionParser.parse(text).get(name);
        return family == null ? 0 : family.samples.stream().mapToDouble(ExpositionParser.Sample::value).sum();
    }

    private static double value(
        final Map<String, ExpositionParser.Family> families, final String name, final String... labels)
    {
        final ExpositionParser.Family family = families.get(name);
        assertTrue(family != null, "no family " + name);
        return family.value(name, labels);
    }

    private static int deadPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(10));
    }
}
