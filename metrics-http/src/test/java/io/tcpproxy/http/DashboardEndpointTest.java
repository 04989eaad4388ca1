package io.tcpproxy.http;

import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.ClientSockets;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard page and its Server-Sent Events stream, on real sockets.
 */
class DashboardEndpointTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int MAX_PAGE_BYTES = 100 * 1024;

    private final AtomicReference<MetricsSnapshot> snapshot = new AtomicReference<>(Snapshots.sample(true, false));
    private final ClientSockets sockets = new ClientSockets();
    private HttpMetricsEndpoint endpoint;

    @AfterEach
    void tearDown() throws IOException
    {
        sockets.close();
        if (null != endpoint)
        {
            final long errors = endpoint.errorCount();
            endpoint.close();
            assertEquals(0, errors, "nothing a client does is an internal error");
        }
    }

    private InetSocketAddress start(final long eventIntervalNs) throws IOException
    {
        return start(eventIntervalNs, HttpLimits.DEFAULT_MAX_EVENT_BACKLOG_BYTES);
    }

    private InetSocketAddress start(final long eventIntervalNs, final int maxBacklogBytes) throws IOException
    {
        final HttpLimits d = HttpLimits.defaults();
        endpoint = new HttpMetricsEndpoint(ANY_PORT, snapshot::get, new HttpLimits(d.maxConnections(),
            d.maxHeadBytes(), d.headTimeoutNs(), d.idleTimeoutNs(), d.writeTimeoutNs(), d.lingerTimeoutNs(),
            d.acceptPauseNs(), eventIntervalNs, maxBacklogBytes));
        return endpoint.localAddress();
    }

    @Test
    void shouldServeOneSelfContainedPageUnderTheSizeLimit() throws IOException
    {
        final InetSocketAddress address = start(TimeUnit.SECONDS.toNanos(1));
        final TestHttp.Response page = TestHttp.get(address, "/");
        assertEquals(200, page.status());
        assertEquals("text/html; charset=utf-8", page.header("Content-Type"));
        assertTrue(page.header("Content-Security-Policy").contains("default-src 'none'"));
        final int bytes = page.body().getBytes(StandardCharsets.UTF_8).length;
        assertTrue(bytes <= MAX_PAGE_BYTES, "page is " + bytes + " bytes");
        assertTrue(page.body().startsWith("<!DOCTYPE html>"));

        final Matcher external = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}").matcher(page.body());
        assertFalse(external.find(), () -> "external reference: " + external.group());
        for (final String tag : new String[]{"<script src", "<link rel=\"stylesheet", "<img", "@import", "url("})
        {
            assertFalse(page.body().toLowerCase().contains(tag), "loads nothing else: " + tag);
        }
        assertTrue(page.body().contains("new EventSource(\"events\")"), "the page follows /events");
        assertTrue(page.body().contains("<link rel=\"icon\" href=\"data:,\">"), "no favicon request to 404");
    }

    @Test
    void shouldStreamOneJsonSnapshotPerIntervalAsServerSentEvents() throws Exception
    {
        final InetSocketAddress address = start(TimeUnit.MILLISECONDS.toNanos(50));
        final Socket socket = subscribe(address);
        final InputStream in = socket.getInputStream();

        final String head = readUntil(in, "\r\n\r\n");
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        assertTrue(head.contains("Content-Type: text/event-stream; charset=utf-8\r\n"), head);
        assertTrue(head.contains("Cache-Control: no-store\r\n"), head);
        assertFalse(head.toLowerCase().contains("content-length"), head);
        assertEquals("retry: 2000\n\n", readUntil(in, "\n\n"));

        for (int i = 0; i < 3; i++)
        {
            final String frame = readUntil(in, "\n\n");
            assertTrue(frame.startsWith("event: snapshot\ndata: {"), frame);
            final String json = frame.substring("event: snapshot\ndata: ".length(), frame.length() - 2);
            assertFalse(json.contains("\n"), "one data line per event");
            final Map<String, Object> document = asMap(Json.parse(json));
            assertEquals(3L, ((Number)document.get("active_connections")).longValue());
            assertEquals(42L, ((Number)document.get("total_connections")).longValue());
            final Map<String, Object> rates = asMap(document.get("rates"));
            assertTrue(rates.containsKey("connections_per_second"), json);
            assertTrue(rates.containsKey("bytes_upstream_per_second"), json);
            assertTrue(rates.containsKey("bytes_downstream_per_second"), json);
            assertEquals(1L, ((Number)asMap(document.get("http")).get("event_clients")).longValue(), json);
        }

        socket.close();
        await(() -> endpoint.connectionCount() == 0, "a closed stream is released");
    }

    @Test
    void shouldComputeRatesServerSide() throws Exception
    {
        final InetSocketAddress address = start(TimeUnit.MILLISECONDS.toNanos(20));
        final Socket socket = subscribe(address);
        final InputStream in = socket.getInputStream();
        readUntil(in, "\n\n");
        readUntil(in, "\n\n");
        readUntil(in, "\n\n"); // the first snapshot is the base of the rates
        snapshot.set(later(snapshot.get(), 2_000, 10, 4_000_000, 1_000));

        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        while (true)
        {
            final String frame = readUntil(in, "\n\n");
            final Map<String, Object> rates = asMap(asMap(Json.parse(
                frame.substring(frame.indexOf("data: ") + 6, frame.length() - 2))).get("rates"));
            if (((Number)rates.get("connections_per_second")).doubleValue() != 0.0)
            {
                assertEquals(5.0, ((Number)rates.get("connections_per_second")).doubleValue(), 1e-9);
                assertEquals(2_000_000.0, ((Number)rates.get("bytes_upstream_per_second")).doubleValue(), 1e-6);
                assertEquals(500.0, ((Number)rates.get("bytes_downstream_per_second")).doubleValue(), 1e-9);
                break;
            }
            assertTrue(System.nanoTime() - deadlineNs < 0, "rates never changed");
        }
    }

    @Test
    void shouldDropAStreamClientThatDoesNotRead() throws Exception
    {
        final int backlogBytes = 64 * 1024;
        final InetSocketAddress address = start(TimeUnit.MILLISECONDS.toNanos(2), backlogBytes);
        final Socket reader = subscribe(address);

        final Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4096);
        stalled.connect(address, 10_000);
        sockets.add(stalled);
        stalled.getOutputStream().write(request("/events"));

        await(() -> endpoint.counters().eventClientsDropped == 1, "the client that never reads is dropped");
        await(() -> endpoint.counters().eventClients == 1, "the reading client stays");
        final InputStream in = reader.getInputStream();
        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        int frames = 0;
        while (frames < 10)
        {
            readUntil(in, "\n\n");
            frames++;
            assertTrue(System.nanoTime() - deadlineNs < 0);
        }
        assertEquals(1, endpoint.counters().eventClientsDropped, "only the stalled client was dropped");
        // What the stalled client can still read is bounded by the socket buffers plus the backlog, not growing.
        stalled.setSoTimeout(10_000);
        final InputStream stalledIn = stalled.getInputStream();
        final byte[] chunk = new byte[8192];
        long received = 0;
        for (int read; (read = readOrReset(stalledIn, chunk)) > 0; )
        {
            received += read;
        }
        assertTrue(received < 64L * 1024 * 1024, "received " + received);
        assertEquals(0, endpoint.errorCount());
    }

    @Test
    void shouldServeAHundredStreamClientsAtOnce() throws Exception
    {
        final int clients = 100;
        final InetSocketAddress address = start(TimeUnit.MILLISECONDS.toNanos(100));
        final List<InputStream> streams = new ArrayList<>();
        for (int i = 0; i < clients; i++)
        {
            final Socket socket = subscribe(address);
            streams.add(socket.getInputStream());
        }
        await(() -> endpoint.counters().eventClients == clients, "all clients subscribed");
        for (final InputStream in : streams)
        {
            readUntil(in, "\r\n\r\n");
            readUntil(in, "\n\n");
            for (int i = 0; i < 2; i++)
            {
                assertTrue(readUntil(in, "\n\n").startsWith("event: snapshot\ndata: {"));
            }
        }
        assertEquals(200, TestHttp.get(endpoint.localAddress(), "/healthz").status(), "health still answers");
        assertEquals(0, endpoint.counters().eventClientsDropped);
    }

    /** The same snapshot, {@code ms} later, with more connections and bytes. */
    private static MetricsSnapshot later(
        final MetricsSnapshot s, final long ms, final long connections, final long up, final long down)
    {
        return Snapshots.withTotals(s.timestampMs() + ms, s.uptimeMs() + ms,
            s.totalConnections() + connections, s.bytesUpstream() + up, s.bytesDownstream() + down);
    }

    /** @return a client that asked for {@code /events}. */
    private Socket subscribe(final InetSocketAddress address) throws IOException
    {
        final Socket socket = sockets.connect(address);
        socket.getOutputStream().write(request("/events"));
        return socket;
    }

    private static byte[] request(final String target)
    {
        return ("GET " + target + " HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    }

    private static int readOrReset(final InputStream in, final byte[] chunk)
    {
        try
        {
            return in.read(chunk);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String readUntil(final InputStream in, final String terminator) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final byte[] end = terminator.getBytes(StandardCharsets.US_ASCII);
        int matched = 0;
        while (true)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new IOException("stream ended after: " + bytes);
            }
            bytes.write(b);
            // The terminators used here have no proper prefix that is also a suffix, so a mismatch restarts at 0.
            matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
            if (matched == end.length)
            {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value)
    {
        return (Map<String, Object>)value;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(1));
    }
}
