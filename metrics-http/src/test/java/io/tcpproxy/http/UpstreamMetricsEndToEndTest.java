package io.tcpproxy.http;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.config.Route;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.Json;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream pool figures through the real HTTP endpoint: two echo servers and one that refuses, round robin; the
 * per-server series in the Prometheus text and the {@code upstreams} rows in the JSON agree with what was sent.
 * Every per-server series carries {@code {upstream,pool}} (issues 13 and 15), also for servers in several pools and
 * for a {@code target_addr} host name.
 */
class UpstreamMetricsEndToEndTest
{
    private static final int CLIENTS = 6;
    private static final byte[] MESSAGE = "hello upstream\n".getBytes(StandardCharsets.US_ASCII);
    private static final String FAILURES = "tcp_proxy_upstream_connect_failures_total";
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
        start(oneQuietWorker()
            .connectAttempts(3)
            .upstreams(List.of(Upstream.of(addrA), Upstream.of(dead), Upstream.of(addrB))));

        for (int i = 0; i < CLIENTS; i++)
        {
            echoOnce();
        }
        await(() -> proxy.activeConnections() == 0 && proxy.metrics().totalConnections() == CLIENTS &&
            proxy.metrics().bytesUpstream() == (long)CLIENTS * MESSAGE.length, "every client counted");

        final String metricsPath = "/metrics";
        await(() -> sum(text(metricsPath), "tcp_proxy_upstream_bytes_received_total") == CLIENTS * MESSAGE.length,
            "per-server bytes in the text");
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(
            TestHttp.get(proxy.metricsAddress(), metricsPath).body());
        final String connections = "tcp_proxy_upstream_connections_total";
        final double toA = value(families, connections, "upstream", addrA, "pool", "default");
        final double toB = value(families, connections, "upstream", addrB, "pool", "default");
        assertEquals(CLIENTS, toA + toB);
        assertEquals(0, value(families, connections, "upstream", dead, "pool", "default"));
        final double refused = value(families, "tcp_proxy_upstream_connect_failures_total",
            "upstream", dead, "pool", "default", "reason", "connect_refused");
        assertTrue(refused >= 1, "the dead server was tried");
        assertEquals(refused, value(families, "tcp_proxy_upstream_connect_retries_total"));
        assertEquals(1, value(families, "tcp_proxy_upstream_up", "upstream", addrA, "pool", "default"));
        assertEquals(1, value(families, "tcp_proxy_upstream_up", "upstream", addrB, "pool", "default"));
        assertEquals(toA * MESSAGE.length,
            value(families, "tcp_proxy_upstream_bytes_sent_total", "upstream", addrA, "pool", "default"));
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
            assertEquals("default", server.get("pool"), String.valueOf(server));
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

    @Test
    void shouldLabelEveryServerSeriesWithItsPool() throws Exception
    {
        final String dead = "127.0.0.1:" + deadPort();
        final String addrA = a.address();
        // "default": the refusing server first (round robin tries it first), then A; "api": only the refusing one;
        // "spare" (no route to it): A again
        start(oneQuietWorker()
            .connectAttempts(3)
            .upstreams(List.of(Upstream.of(dead), Upstream.of(addrA), Upstream.builder().addr(dead).pool("api").build(),
                Upstream.builder().addr(addrA).pool("spare").build()))
            .routes(List.of(Route.builder().sni(List.of("api.test")).pool("api").build()))
            .sniDefaultPool("default"));

        echoOnce();
        try (SSLSocket tls = (SSLSocket)SSLContext.getDefault().getSocketFactory().createSocket())
        {
            tls.setSoTimeout(10_000);
            tls.connect(proxy.localAddress(), 10_000);
            final SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("api.test")));
            tls.setSSLParameters(parameters);
            assertThrows(IOException.class, tls::startHandshake, "the api pool's only server refuses");
        }

        final Map<String, ExpositionParser.Family> families = awaitConnectFailures(2, "the refused tries counted");
        assertEquals(1, value(families, FAILURES, "upstream", dead, "pool", "api", "reason", "connect_refused"));
        assertEquals(1, value(families, FAILURES, "upstream", dead, "pool", "default", "reason", "connect_refused"));
        assertEquals(0, value(families, FAILURES, "upstream", addrA, "pool", "default", "reason", "connect_refused"));
        assertEquals(0, value(families, FAILURES, "upstream", addrA, "pool", "spare", "reason", "connect_timeout"));
        final String connections = "tcp_proxy_upstream_connections_total";
        assertEquals(1, value(families, connections, "upstream", addrA, "pool", "default"));
        assertEquals(0, value(families, connections, "upstream", addrA, "pool", "spare"));
        assertEquals(0, value(families, connections, "upstream", dead, "pool", "api"));
        assertEquals(0, value(families, connections, "upstream", dead, "pool", "default"));
        // the bytes the SNI peek read before the first (refused) try belong to the server that took the client
        final String sent = "tcp_proxy_upstream_bytes_sent_total";
        assertEquals(MESSAGE.length, value(families, sent, "upstream", addrA, "pool", "default"));
        assertEquals(0, value(families, sent, "upstream", dead, "pool", "default"));
        assertEquals(1, value(families, "tcp_proxy_upstream_up", "upstream", addrA, "pool", "spare"));
        assertEquals(0, value(families, "tcp_proxy_upstream_draining", "upstream", dead, "pool", "api"));
        assertEquals(MESSAGE.length,
            value(families, "tcp_proxy_upstream_bytes_received_total", "upstream", addrA, "pool", "default"));
        assertEquals(1, value(families, "tcp_proxy_connections_closed_total", "reason", "connect_refused"));
        assertEquals(1, value(families, "tcp_proxy_upstream_connect_retries_total"));
        for (final ExpositionParser.Family family : families.values())
        {
            if (family.name.startsWith("tcp_proxy_upstream_") && !family.name.startsWith("tcp_proxy_upstream_connect_"))
            {
                for (final ExpositionParser.Sample sample : family.samples)
                {
                    assertEquals(List.of("upstream", "pool"), List.copyOf(sample.labels().keySet()), family.name);
                }
            }
        }
        for (final ExpositionParser.Sample sample : families.get(FAILURES).samples)
        {
            assertEquals(List.of("upstream", "pool", "reason"), List.copyOf(sample.labels().keySet()));
        }
        assertFalse(families.containsKey("tcp_proxy_upstream_server_connect_failures_total"), "the old name");
        assertFalse(families.containsKey("tcp_proxy_upstream_pool_info"), "the pool is a label now");

        final Map<?, ?> json = (Map<?, ?>)Json.parse(
            TestHttp.get(proxy.metricsAddress(), "/metrics?format=json").body());
        final List<String> rows = new ArrayList<>();
        for (final Object row : (List<?>)json.get("upstreams"))
        {
            final Map<?, ?> server = (Map<?, ?>)row;
            rows.add(server.get("upstream") + " in " + server.get("pool") + ": " + server.get("total_connections"));
        }
        assertEquals(List.of(dead + " in default: 0", addrA + " in default: 1", dead + " in api: 0",
            addrA + " in spare: 0"), rows);
        assertEquals(1L, ((Map<?, ?>)json.get("upstream_connect_failures")).get(dead + ",api,connect_refused"));
        assertEquals(1L, ((Map<?, ?>)json.get("connect_failures_by_reason")).get("connect_refused"));
    }

    @Test
    void shouldCountAHostNameTargetsConnectFailuresPerReason() throws Exception
    {
        final String target = "localhost:" + deadPort();
        start(oneQuietWorker()
            .targetAddress(target));
        assertTrue(proxy.upstreamPools().isEmpty(), "a host name target_addr goes without a pool");
        for (int i = 0; i < 2; i++)
        {
            try (Socket client = new Socket())
            {
                client.setSoTimeout(10_000);
                client.connect(proxy.localAddress(), 10_000);
                assertEquals(-1, client.getInputStream().read(), "closed: the target refuses");
            }
        }

        final Map<String, ExpositionParser.Family> families = awaitConnectFailures(2, "both refused connects counted");
        assertEquals(2, value(families, FAILURES, "upstream", target, "pool", "default", "reason", "connect_refused"));
        assertEquals(0, value(families, FAILURES, "upstream", target, "pool", "default", "reason", "connect_timeout"));
        assertEquals(0,
            value(families, FAILURES, "upstream", target, "pool", "default", "reason", "connect_unresolved"));
        assertEquals(4, families.get(FAILURES).samples.size(), "one series per reason, all for the target");
        final Map<?, ?> json = (Map<?, ?>)Json.parse(
            TestHttp.get(proxy.metricsAddress(), "/metrics?format=json").body());
        assertEquals(2L, ((Map<?, ?>)json.get("connect_failures_by_reason")).get("connect_refused"));
        assertEquals(2L, ((Map<?, ?>)json.get("upstream_connect_failures")).get(target + ",default,connect_refused"));
    }

    private static ConfigBuilder oneQuietWorker()
    {
        return LoopbackConfig.withMetrics().workers(1).logEvents(LogEvents.OFF);
    }

    private void start(final ConfigBuilder config) throws IOException
    {
        proxy = Proxy.start(config.build(), LoopbackConfig.quietConsole());
    }

    /** One client through the proxy: {@link #MESSAGE} sent and echoed back whole. */
    private void echoOnce() throws IOException
    {
        try (Socket client = new Socket())
        {
            client.setSoTimeout(10_000);
            client.connect(proxy.localAddress(), 10_000);
            client.getOutputStream().write(MESSAGE);
            assertArrayEquals(MESSAGE, client.getInputStream().readNBytes(MESSAGE.length));
        }
    }

    /** @return every family of /metrics once it counts {@code count} connect failures in all. */
    private Map<String, ExpositionParser.Family> awaitConnectFailures(final int count, final String what)
    {
        await(() -> sum(text("/metrics"), FAILURES) == count, what);
        return ExpositionParser.parse(text("/metrics"));
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
