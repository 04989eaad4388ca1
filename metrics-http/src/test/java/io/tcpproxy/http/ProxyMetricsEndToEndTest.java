package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@link Proxy} (with the HTTP endpoint found through ServiceLoader from this module) in front of an
 * upstream in this JVM: a known transfer must show up exactly, and consistently, in both metrics formats.
 */
class ProxyMetricsEndToEndTest
{
    private static final int CLIENTS = 3;
    private static final int UPSTREAM_BYTES_PER_CLIENT = 100_000;
    private static final int DOWNSTREAM_BYTES_PER_CLIENT = 250_000;
    private static final long TOTAL_UPSTREAM = (long)CLIENTS * UPSTREAM_BYTES_PER_CLIENT;
    private static final long TOTAL_DOWNSTREAM = (long)CLIENTS * DOWNSTREAM_BYTES_PER_CLIENT;
    private static final String CLIENT_IP = "127.0.0.1";
    private static final int SOCKET_TIMEOUT_MS = 10_000;
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private ServerSocket upstream;
    private Proxy proxy;

    @AfterEach
    void tearDown() throws IOException, InterruptedException
    {
        if (null != proxy)
        {
            proxy.close();
        }
        if (null != upstream)
        {
            upstream.close();
        }
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS), "test threads did not stop");
    }

    @Test
    void shouldReportAKnownTransferExactlyInTextAndJson() throws Exception
    {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Future<?> upstreamServer = threads.submit(this::serveUpstream);
        proxy = Proxy.start(LoopbackConfig.withMetrics(upstream.getLocalPort())
            .workers(2)
            .metricsClientLabels(true)
            .logEvents(LogEvents.OFF)
            .build(), console);
        final InetSocketAddress metricsAddress = proxy.metricsAddress();
        assertTrue(null != metricsAddress && metricsAddress.getPort() > 0, "metrics endpoint from ServiceLoader");

        final List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++)
        {
            final int seed = i;
            clients.add(threads.submit(() -> runClient(proxy.localAddress(), seed)));
        }
        for (final Future<?> client : clients)
        {
            awaitResult(client);
        }
        awaitResult(upstreamServer);

        await(() -> proxy.activeConnections() == 0, "proxy.activeConnections() == 0");
        await(() -> isComplete(proxy.metrics()), "the snapshot shows the whole transfer");

        final TestHttp.Response health = TestHttp.get(metricsAddress, "/healthz");
        assertEquals(200, health.status(), health.statusLine());

        final TestHttp.Response text = TestHttp.get(metricsAddress, "/metrics");
        assertEquals(200, text.status(), text.statusLine());
        assertPrometheusText(ExpositionParser.parse(text.body()));

        final TestHttp.Response json = TestHttp.get(metricsAddress, "/metrics?format=json");
        assertEquals(200, json.status(), json.statusLine());
        assertJson(asMap(Json.parse(json.body())));

        proxy.close();
        assertThrows(ConnectException.class, () ->
        {
            try (Socket socket = new Socket())
            {
                socket.connect(metricsAddress, SOCKET_TIMEOUT_MS);
            }
        }, "the metrics port is closed after proxy.close()");
    }

    private static boolean isComplete(final MetricsSnapshot snapshot)
    {
        return snapshot.totalConnections() == CLIENTS &&
            snapshot.activeConnections() == 0 &&
            snapshot.bytesUpstream() == TOTAL_UPSTREAM &&
            snapshot.bytesDownstream() == TOTAL_DOWNSTREAM &&
            snapshot.closes(CloseReason.CLIENT_FIN) == CLIENTS &&
            null != snapshot.connectionDuration() &&
            snapshot.connectionDuration().count() == CLIENTS;
    }

    private static void assertPrometheusText(final Map<String, ExpositionParser.Family> families)
    {
        assertEquals(TOTAL_UPSTREAM, value(families, "tcp_proxy_bytes_upstream_total"));
        assertEquals(TOTAL_DOWNSTREAM, value(families, "tcp_proxy_bytes_downstream_total"));
        assertEquals(CLIENTS, value(families, "tcp_proxy_connections_total"));
        assertEquals(0, value(families, "tcp_proxy_connections_active"));
        final ExpositionParser.Family rejected = family(families, "tcp_proxy_connections_rejected_total");
        assertEquals(RejectReason.values().length, rejected.samples.size(), "every reason from the start");
        for (final RejectReason reason : RejectReason.values())
        {
            assertEquals(0, rejected.value(rejected.name, "reason", reason.label()), reason.label());
        }
        assertEquals(0, value(families, "tcp_proxy_accept_pauses_total"));

        final ExpositionParser.Family closed = family(families, "tcp_proxy_connections_closed_total");
        for (final CloseReason reason : CloseReason.values())
        {
            assertEquals(reason == CloseReason.CLIENT_FIN ? CLIENTS : 0,
                closed.value("tcp_proxy_connections_closed_total", "reason", reason.label()), reason.label());
        }

        final ExpositionParser.Family duration = family(families, "tcp_proxy_connection_duration_seconds");
        assertEquals(CLIENTS, duration.value("tcp_proxy_connection_duration_seconds_count"));
        assertEquals(CLIENTS, duration.value("tcp_proxy_connection_duration_seconds_bucket", "le", "+Inf"));
        final ExpositionParser.Family connect = family(families, "tcp_proxy_upstream_connect_seconds");
        assertEquals(CLIENTS, connect.value("tcp_proxy_upstream_connect_seconds_count"));

        assertEquals(CLIENTS, clientValue(families, "tcp_proxy_client_connections_total"));
        assertEquals(0, clientValue(families, "tcp_proxy_client_connections_active"));
        assertEquals(TOTAL_UPSTREAM, clientValue(families, "tcp_proxy_client_bytes_upstream_total"));
        assertEquals(TOTAL_DOWNSTREAM, clientValue(families, "tcp_proxy_client_bytes_downstream_total"));

        assertEquals(CLIENTS, workerSum(families, "tcp_proxy_worker_connections_total"));
        assertEquals(0, workerSum(families, "tcp_proxy_worker_connections_active"));
        assertEquals(TOTAL_UPSTREAM, workerSum(families, "tcp_proxy_worker_bytes_upstream_total"));
        assertEquals(TOTAL_DOWNSTREAM, workerSum(families, "tcp_proxy_worker_bytes_downstream_total"));
    }

    private static void assertJson(final Map<String, Object> json)
    {
        assertEquals(TOTAL_UPSTREAM, json.get("bytes_upstream"));
        assertEquals(TOTAL_DOWNSTREAM, json.get("bytes_downstream"));
        assertEquals((long)CLIENTS, json.get("total_connections"));
        assertEquals(0L, json.get("active_connections"));
        assertEquals((long)CLIENTS, asMap(json.get("closes_by_reason")).get(CloseReason.CLIENT_FIN.label()));
        final Map<String, Object> histograms = asMap(json.get("histograms"));
        assertEquals((long)CLIENTS, asMap(histograms.get("connection_duration_seconds")).get("count"));

        Map<String, Object> client = null;
        for (final Object entry : asList(json.get("clients")))
        {
            final Map<String, Object> map = asMap(entry);
            if (CLIENT_IP.equals(map.get("client")))
            {
                assertNull(client, "one clients entry per IP");
                client = map;
            }
        }
        assertTrue(null != client, "clients has an entry for " + CLIENT_IP + ": " + json.get("clients"));
        assertEquals(TOTAL_UPSTREAM, client.get("bytes_upstream"));
        assertEquals(TOTAL_DOWNSTREAM, client.get("bytes_downstream"));
        assertEquals((long)CLIENTS, client.get("total_connections"));
        assertEquals(0L, client.get("active_connections"));

        long workerUp = 0;
        long workerDown = 0;
        long workerTotal = 0;
        final List<Object> workers = asList(json.get("workers"));
        assertEquals(2, workers.size(), "one entry per worker");
        for (final Object entry : workers)
        {
            final Map<String, Object> worker = asMap(entry);
            workerUp += (Long)worker.get("bytes_upstream");
            workerDown += (Long)worker.get("bytes_downstream");
            workerTotal += (Long)worker.get("total_connections");
        }
        assertEquals(TOTAL_UPSTREAM, workerUp);
        assertEquals(TOTAL_DOWNSTREAM, workerDown);
        assertEquals(CLIENTS, workerTotal);
    }

    private static ExpositionParser.Family family(
        final Map<String, ExpositionParser.Family> families, final String name)
    {
        final ExpositionParser.Family family = families.get(name);
        if (null == family)
        {
            throw new AssertionError("no family " + name + " in " + families.keySet());
        }
        return family;
    }

    private static long value(final Map<String, ExpositionParser.Family> families, final String name)
    {
        return (long)family(families, name).value(name);
    }

    private static long clientValue(final Map<String, ExpositionParser.Family> families, final String name)
    {
        return (long)family(families, name).value(name, "client", CLIENT_IP);
    }

    private static long workerSum(final Map<String, ExpositionParser.Family> families, final String name)
    {
        final ExpositionParser.Family family = family(families, name);
        assertEquals(2, family.samples.size(), "one " + name + " series per worker");
        long sum = 0;
        for (final ExpositionParser.Sample sample : family.samples)
        {
            assertTrue(sample.labels().containsKey("worker"), sample.toString());
            sum += (long)sample.value();
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value)
    {
        assertTrue(value instanceof Map, "JSON object expected: " + value);
        return (Map<String, Object>)value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(final Object value)
    {
        assertTrue(value instanceof List, "JSON array expected: " + value);
        return (List<Object>)value;
    }

    /**
     * The client sends its bytes, reads the whole reply, then half-closes first (so every connection closes as
     * client_fin) and expects a clean EOF with nothing more.
     */
    private static Void runClient(final InetSocketAddress proxyAddress, final int seed) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(proxyAddress, SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            // 100 kB fits in the loopback socket buffers along the way, and the upstream reads all of it before
            // replying, so writing it all before reading cannot deadlock.
            out.write(pattern(UPSTREAM_BYTES_PER_CLIENT, seed));
            out.flush();
            final byte[] reply = in.readNBytes(DOWNSTREAM_BYTES_PER_CLIENT);
            assertArrayEquals(pattern(DOWNSTREAM_BYTES_PER_CLIENT, seed + 100), reply, "client " + seed + " reply");
            socket.shutdownOutput();
            assertEquals(-1, in.read(), "client " + seed + ": EOF after the reply");
        }
        return null;
    }

    private Void serveUpstream() throws IOException, InterruptedException, ExecutionException, TimeoutException
    {
        final List<CompletableFuture<Void>> handlers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++)
        {
            final Socket socket = upstream.accept();
            handlers.add(CompletableFuture.supplyAsync(() -> handleUpstream(socket), threads));
        }
        for (final CompletableFuture<Void> handler : handlers)
        {
            handler.get(AWAIT_NS, TimeUnit.NANOSECONDS);
        }
        return null;
    }

    private static Void handleUpstream(final Socket socket)
    {
        try (socket)
        {
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            final InputStream in = socket.getInputStream();
            final byte[] request = in.readNBytes(UPSTREAM_BYTES_PER_CLIENT);
            assertEquals(UPSTREAM_BYTES_PER_CLIENT, request.length, "upstream got the whole request");
            final int seed = seedOf(request);
            assertArrayEquals(pattern(UPSTREAM_BYTES_PER_CLIENT, seed), request, "request of client " + seed);
            socket.getOutputStream().write(pattern(DOWNSTREAM_BYTES_PER_CLIENT, seed + 100));
            socket.getOutputStream().flush();
            assertEquals(-1, in.read(), "upstream: the client's FIN after the request, nothing more");
            return null;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("upstream handler failed", ex);
        }
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        bytes[0] = (byte)seed;
        for (int i = 1; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + seed);
        }
        return bytes;
    }

    private static int seedOf(final byte[] request)
    {
        return request[0];
    }

    private void awaitResult(final Future<?> future) throws InterruptedException
    {
        try
        {
            future.get(AWAIT_NS, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new AssertionError("transfer failed; console:\n" + consoleText(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            fail("transfer did not finish within " + TimeUnit.NANOSECONDS.toSeconds(AWAIT_NS) + " s; console:\n" +
                consoleText());
        }
    }

    private void await(final BooleanSupplier condition, final String description)
    {
        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                final MetricsSnapshot snapshot = proxy.metrics();
                fail("timed out waiting for " + description + "; active=" + proxy.activeConnections() +
                    " total=" + snapshot.totalConnections() + " up=" + snapshot.bytesUpstream() +
                    " down=" + snapshot.bytesDownstream() + " client_fin=" + snapshot.closes(CloseReason.CLIENT_FIN) +
                    "; console:\n" + consoleText());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private String consoleText()
    {
        return consoleBytes.toString(StandardCharsets.UTF_8);
    }
}
