package io.tcpproxy.http;

import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpMetricsEndpointTest
{
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final AtomicReference<MetricsSnapshot> snapshot = new AtomicReference<>(Snapshots.sample(true, false));
    private final List<TestHttp> clients = new ArrayList<>();
    private HttpMetricsEndpoint endpoint;

    @AfterEach
    void tearDown() throws IOException
    {
        for (final TestHttp client : clients)
        {
            client.close();
        }
        if (null != endpoint)
        {
            final long errors = endpoint.errorCount();
            endpoint.close();
            assertEquals(0, errors, "nothing a client sends is an internal error");
        }
    }

    private InetSocketAddress start() throws IOException
    {
        return start(HttpLimits.defaults());
    }

    private InetSocketAddress start(final HttpLimits limits) throws IOException
    {
        endpoint = new HttpMetricsEndpoint(ANY_PORT, snapshot::get, limits);
        return endpoint.localAddress();
    }

    private TestHttp connect(final InetSocketAddress address) throws IOException
    {
        final TestHttp client = new TestHttp(address);
        clients.add(client);
        return client;
    }

    @Test
    void shouldServePrometheusTextThatParses() throws IOException
    {
        final InetSocketAddress address = start();
        assertTrue(address.getPort() > 0);

        final TestHttp.Response response = TestHttp.get(address, "/metrics");

        assertEquals(200, response.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.header("Content-Type"));
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(response.body());
        assertEquals(42, families.get("tcp_proxy_connections_total").samples.get(0).value());
        assertTrue(families.containsKey("tcp_proxy_client_bytes_upstream_total"));
    }

    @Test
    void shouldServeJsonOnlyForFormatJson() throws IOException
    {
        final InetSocketAddress address = start();

        final TestHttp.Response json = TestHttp.get(address, "/metrics?format=json");
        assertEquals(200, json.status());
        assertEquals("application/json", json.header("Content-Type"));
        assertTrue(json.body().startsWith("{\"active_connections\":3,\"total_connections\":42,"), json.body());
        Json.parse(json.body());

        final String again = TestHttp.get(address, "/metrics?x=1&format=json").body();
        final int countersStart = json.body().indexOf(",\"http\":{");
        assertTrue(countersStart > 0, "the responder's counters close the document");
        assertEquals(json.body().substring(0, countersStart), again.substring(0, countersStart));
        for (final String target : new String[]{"/metrics?format=prometheus", "/metrics?format=text", "/metrics?",
            "/metrics?format=JSON", "/metrics?format=jsonx"})
        {
            final TestHttp.Response response = TestHttp.get(address, target);
            assertEquals(200, response.status(), target);
            assertEquals(PrometheusTextFormat.CONTENT_TYPE, response.header("Content-Type"), target);
            ExpositionParser.parse(response.body());
        }
    }

    @Test
    void shouldFollowNewSnapshots() throws IOException
    {
        final InetSocketAddress address = start();
        assertTrue(TestHttp.get(address, "/metrics").body().contains("\ntcp_proxy_connections_total 42\n"));

        snapshot.set(Snapshots.empty());

        assertTrue(TestHttp.get(address, "/metrics").body().contains("\ntcp_proxy_connections_total 0\n"));
    }

    @Test
    void shouldReportHealthThenDraining() throws IOException
    {
        final InetSocketAddress address = start();

        final TestHttp.Response healthy = TestHttp.get(address, "/healthz");
        assertEquals(200, healthy.status());
        assertEquals("ok", healthy.body().trim());

        snapshot.set(Snapshots.sample(true, true));
        final TestHttp.Response draining = TestHttp.get(address, "/healthz");
        assertEquals(503, draining.status());
        assertEquals("draining", draining.body().trim());
    }

    @Test
    void shouldAnswer503BeforeTheFirstSnapshot() throws IOException
    {
        snapshot.set(null);
        final InetSocketAddress address = start();

        assertEquals(503, TestHttp.get(address, "/metrics").status());
        assertEquals(503, TestHttp.get(address, "/healthz").status());
    }

    @Test
    void shouldAnswerHeadWithHeadersOnly() throws IOException
    {
        final InetSocketAddress address = start();
        final int getLength = TestHttp.get(address, "/metrics").body().getBytes(StandardCharsets.UTF_8).length;
        final TestHttp client = connect(address);

        client.send("HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response head = client.read(true);
        final TestHttp.Response next = client.read(false);

        assertEquals(200, head.status());
        assertEquals(String.valueOf(getLength), head.header("Content-Length"));
        assertEquals(PrometheusTextFormat.CONTENT_TYPE, head.header("Content-Type"));
        assertEquals("ok\n", next.body(), "no body bytes were sent for HEAD");
    }

    @Test
    void shouldAnswerOtherMethodsWith405() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        client.send("POST /metrics HTTP/1.1\r\nHost: t\r\n\r\nDELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response post = client.read(false);
        final TestHttp.Response delete = client.read(false);
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
        assertEquals("keep-alive", post.header("Connection"));
        assertEquals(405, delete.status());

        client.send("PUT /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
        final TestHttp.Response put = client.read(false);
        assertEquals(405, put.status());
        assertEquals("close", put.header("Connection"));
        assertTrue(client.awaitClosed());
    }

    @Test
    void shouldAnswerUnknownPathsWith404AndKeepServing() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        for (final String target :  new String[]{"//", "/metricsx", "/event", "/metrics/", "/healthz/x", "/METRICS"})
        {
            client.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(404, client.read(false).status(), target);
        }
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, client.read(false).status());
    }

    @Test
    void shouldAnswerMalformedRequestsWith400AndClose() throws IOException
    {
        final InetSocketAddress address = start();
        final String[] requests = {
            "GET /metrics\r\n\r\n",
            "GET /metrics HTTP/2.0\r\n\r\n",
            "GET /metrics HTTP/1.1 extra\r\n\r\n",
            "GET  /metrics HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET metrics HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /metrics http/1.1\r\n\r\n",
            "GET /met\u0001rics HTTP/1.1\r\nHost: t\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\n folded: x\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody",
            "GET /metrics HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "\u0000\u00ff\u0016\u0003\u0001garbage",
            " GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n",
        };
        for (final String request : requests)
        {
            final TestHttp client = connect(address);
            client.send(request);
            final TestHttp.Response response = client.read(false);
            assertEquals(400, response.status(), request);
            assertEquals("close", response.header("Connection"), request);
            assertTrue(client.awaitClosed(), request);
        }
        assertEquals(200, TestHttp.get(address, "/healthz").status());
    }

    @Test
    void shouldAnswerTlsHandshakeWith400() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final byte[] clientHello = new byte[517];
        clientHello[0] = 0x16;
        clientHello[1] = 0x03;
        clientHello[2] = 0x01;
        Arrays.fill(clientHello, 3, clientHello.length, (byte)0xA5);

        client.send(clientHello);

        assertEquals(400, client.read(false).status());
        assertTrue(client.awaitClosed());
        assertEquals(200, TestHttp.get(address, "/healthz").status());
    }

    @Test
    void shouldAnswerAnOversizedHeadWith431AndClose() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final String filler = "X-Filler: " + "a".repeat(HttpLimits.DEFAULT_MAX_HEAD_BYTES) + "\r\n";

        client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n" + filler + "\r\n");

        final TestHttp.Response response = client.read(false);
        assertEquals(431, response.status());
        assertEquals("close", response.header("Connection"));
        assertTrue(client.awaitClosed());
        assertEquals(200, TestHttp.get(address, "/healthz").status());
    }

    @Test
    void shouldAcceptAHeadJustUnderTheLimit() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final String start = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Filler: ";
        final String end = "\r\n\r\n";
        final String filler = "a".repeat(HttpLimits.DEFAULT_MAX_HEAD_BYTES - start.length() - end.length());

        client.send(start + filler + end);

        assertEquals(200, client.read(false).status());
    }

    @Test
    void shouldKeepAliveAcrossRequests() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response first = client.read(false);
        client.send("GET /metrics?format=json HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response second = client.read(false);
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        final TestHttp.Response third = client.read(false);

        assertEquals("keep-alive", first.header("Connection"));
        ExpositionParser.parse(first.body());
        assertEquals("application/json", second.header("Content-Type"));
        assertEquals("keep-alive", second.header("Connection"));
        assertEquals(200, third.status());
        assertEquals("close", third.header("Connection"));
        assertTrue(client.awaitClosed());
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrder() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final StringBuilder requests = new StringBuilder();
        final String[] targets = {"/healthz", "/metrics?format=json", "/nope", "/metrics", "/healthz"};
        for (final String target : targets)
        {
            requests.append("GET ").append(target).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        }

        client.send(requests.toString());

        assertEquals("ok\n", client.read(false).body());
        assertEquals("application/json", client.read(false).header("Content-Type"));
        assertEquals(404, client.read(false).status());
        assertEquals(PrometheusTextFormat.CONTENT_TYPE, client.read(false).header("Content-Type"));
        assertEquals("ok\n", client.read(false).body());
    }

    @Test
    void shouldAnswerRequestsSentByteByByte() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final byte[] request = "\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        for (final byte b : request)
        {
            client.send(new byte[]{b});
        }

        assertEquals(200, client.read(false).status());
    }

    @Test
    void shouldCloseHttp10UnlessKeepAliveAsked() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp plain = connect(address);
        plain.send("GET /healthz HTTP/1.0\r\n\r\n");
        assertEquals("close", plain.read(false).header("Connection"));
        assertTrue(plain.awaitClosed());

        final TestHttp keepAlive = connect(address);
        keepAlive.send("GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
        assertEquals("keep-alive", keepAlive.read(false).header("Connection"));
        keepAlive.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertEquals(200, keepAlive.read(false).status());
    }

    @Test
    void shouldHonourConnectionCloseAmongOtherTokens() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: TE, Close\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");

        assertEquals("close", client.read(false).header("Connection"));
        assertTrue(client.awaitClosed(), "the pipelined request after Connection: close is not answered");
    }

    @Test
    void shouldAnswerRequestsBufferedBeforeTheClientHalfCloses() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
        client.socket.shutdownOutput();

        assertEquals(200, client.read(false).status());
        ExpositionParser.parse(client.read(false).body());
        assertTrue(client.awaitClosed());
    }

    @Test
    void shouldNotLetASlowClientBlockAnother() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp slow = connect(address);
        slow.send("GET /metr");

        final TestHttp.Response response = TestHttp.get(address, "/metrics");

        assertEquals(200, response.status());
        slow.send("ics HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, slow.read(false).status());
    }

    @Test
    void shouldCloseAClientWhoseHeadDoesNotCompleteInTime() throws IOException
    {
        final InetSocketAddress address = start(limits(256, TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.SECONDS
            .toNanos(30)));
        // before connecting: the deadline runs from the accept, which a busy machine may run before this thread
        // reads the clock again after connect() returns
        final long startNs = System.nanoTime();
        final TestHttp slow = connect(address);

        slow.send("GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ");

        assertTrue(slow.awaitClosed());
        assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(190));
        assertEquals(1, endpoint.timedOutConnections());
    }

    @Test
    void shouldCloseIdleKeptAliveConnections() throws IOException
    {
        final InetSocketAddress address = start(limits(256, TimeUnit.SECONDS.toNanos(10), TimeUnit.MILLISECONDS
            .toNanos(200)));
        final TestHttp client = connect(address);

        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals("keep-alive", client.read(false).header("Connection"));

        assertTrue(client.awaitClosed());
        assertEquals(1, endpoint.timedOutConnections());
    }

    @Test
    void shouldFinishALargeResponseToAClientThatReadsLate() throws IOException
    {
        snapshot.set(Snapshots.manyClients(60_000));
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);

        client.send("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics?format=json HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp other = connect(address);
        other.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, other.read(false).status(), "a stalled reader does not block other clients");

        final TestHttp.Response text = client.read(false);
        final TestHttp.Response json = client.read(false);
        assertTrue(endpoint.deferredWrites() > 0, "the response did not fit the socket buffer at once");
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(text.body());
        assertEquals(60_001, families.get("tcp_proxy_client_bytes_upstream_total").samples.size());
        Json.parse(json.body());
    }

    @Test
    void shouldKeepHealthAndScrapesAnsweringUnderAFloodOfSlowConnections() throws IOException
    {
        // Issue 11 failure 3: 256 slow clients used to fill the cap, and /healthz then got the 503 of draining.
        final InetSocketAddress address = start();
        final int limit = HttpLimits.DEFAULT_MAX_CONNECTIONS;
        final int flood = 300;
        final List<TestHttp> slow = new ArrayList<>();
        for (int i = 0; i < flood; i++)
        {
            final TestHttp client = connect(address);
            client.send("GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            slow.add(client);
        }
        await(() -> endpoint.shedConnections() >= flood - limit, "the flood beyond the cap was shed");
        assertEquals(limit, endpoint.connectionCount());

        final TestHttp.Response health = TestHttp.get(address, "/healthz");
        assertEquals(200, health.status(), "capacity must never look like draining");
        assertEquals("ok", health.body().trim());
        final TestHttp.Response scrape = TestHttp.get(address, "/metrics");
        assertEquals(200, scrape.status());
        assertTrue(scrape.body().contains("tcp_proxy_http_connections_shed_total "), scrape.body());
        assertTrue(slow.get(0).awaitClosed(), "the connection idle longest was the one shed");
        assertEquals(0, endpoint.refusedConnections());

        snapshot.set(Snapshots.sample(true, true));
        final TestHttp.Response draining = TestHttp.get(address, "/healthz");
        assertEquals(503, draining.status(), "a real drain still answers 503");
        assertEquals("draining", draining.body().trim());
    }

    @Test
    void shouldNeverShedAProbeThatHasNotSentItsRequestYet() throws IOException
    {
        // Issue 11 failure 3, long battery: a /healthz probe accepted but not yet heard from was the connection with
        // the oldest progress once everyone else had completed a request since, and the next accept shed it.
        final int limit = 8;
        final long longNs = TimeUnit.SECONDS.toNanos(60);
        final InetSocketAddress address = start(limits(limit, longNs, longNs));
        final String slowHead = "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Slow: ";
        for (int round = 0; round < 5; round++)
        {
            // Accepted before every flooder below (the backlog is first in, first out), and silent for now.
            final TestHttp probe = connect(address);
            for (int i = 0; i < limit + 2; i++)
            {
                // Each flooder completes a request after the probe was accepted, then stalls in a request head.
                final TestHttp flooder = connect(address);
                flooder.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, flooder.read(false).status());
                flooder.send(slowHead);
            }
            assertEquals(limit, endpoint.connectionCount());

            probe.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
            final TestHttp.Response health = probe.read(false);
            assertEquals(200, health.status(), "round " + round);
            assertEquals("ok", health.body().trim());
        }
        assertTrue(endpoint.shedConnections() >= 4 * (limit + 2), "the flood was shed: " + endpoint.shedConnections());
        assertEquals(0, endpoint.refusedConnections());
    }

    @Test
    void shouldStillShedTheOldestWhenEveryConnectionIsSilent() throws IOException
    {
        // Connections not heard from yet go last, but they do go: a flood of silent sockets cannot lock anyone out.
        final int limit = 4;
        final long longNs = TimeUnit.SECONDS.toNanos(60);
        final InetSocketAddress address = start(limits(limit, longNs, longNs));
        final List<TestHttp> silent = new ArrayList<>();
        for (int i = 0; i < limit + 2; i++)
        {
            silent.add(connect(address));
        }
        await(() -> endpoint.shedConnections() >= 2, "the silent flood beyond the cap was shed");
        assertTrue(silent.get(0).awaitClosed(), "the oldest silent connection was the one shed");

        final TestHttp.Response health = TestHttp.get(address, "/healthz");
        assertEquals(200, health.status());
        assertEquals(0, endpoint.refusedConnections());
    }

    @Test
    void shouldAnswerHttp11WithoutHostWith400() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        assertEquals(400, client.exchange("GET /healthz HTTP/1.1\r\n\r\n").status());
        assertTrue(client.awaitClosed());
        final String twoHosts = "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n";
        assertEquals(400, connect(address).exchange(twoHosts).status());
        assertEquals(200, connect(address).exchange("GET /healthz HTTP/1.0\r\n\r\n").status(),
            "HTTP/1.0 may omit Host");
    }

    @Test
    void shouldAcceptTheAbsoluteForm() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp client = connect(address);
        final TestHttp.Response json =
            client.exchange("GET http://localhost:9090/metrics?format=json HTTP/1.1\r\nHost: localhost:9090\r\n\r\n");
        assertEquals(200, json.status());
        assertEquals(JsonFormat.CONTENT_TYPE, json.header("Content-Type"));
        assertEquals(200, client.exchange("GET HTTP://h/healthz HTTP/1.1\r\nHost: h\r\n\r\n").status());
        final TestHttp.Response root = client.exchange("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(200, root.status(), "an absolute form without a path means /");
        assertTrue(root.header("Content-Type").startsWith("text/html"));
        assertEquals(400, client.exchange("GET ftp://h/metrics HTTP/1.1\r\nHost: h\r\n\r\n").status());
    }

    @Test
    void shouldAnswerAnHttp09RequestWith400AtOnce() throws IOException
    {
        // The head timeout is far beyond the read timeout: the old responder held this request until it expired.
        final InetSocketAddress address = start(limits(16, TimeUnit.MINUTES.toNanos(5), TimeUnit.MINUTES.toNanos(5)));
        final TestHttp client = connect(address);
        client.send("GET /\r\n");
        final TestHttp.Response response = client.read(false);
        assertEquals(400, response.status());
        assertTrue(client.awaitClosed());
        assertEquals(0, endpoint.timedOutConnections());
    }

    @Test
    void shouldServeAnAddedRouteAndLetItAcceptPost() throws IOException
    {
        final byte[] done = "done\n".getBytes(StandardCharsets.US_ASCII);
        final int[] calls = new int[1];
        endpoint = new HttpMetricsEndpoint(ANY_PORT, snapshot::get, HttpLimits.defaults(), routes -> routes.add(
            "/admin/test", new RouteHandler()
            {
                public void handle(final RequestParser request, final ResponseWriter response)
                {
                    calls[0]++;
                    response.status(200).text(done);
                }

                public boolean acceptsPost()
                {
                    return true;
                }
            }));
        final InetSocketAddress address = endpoint.localAddress();
        final TestHttp client = connect(address);
        client.send("POST /admin/test HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        final TestHttp.Response posted = client.read(false);
        assertEquals(200, posted.status());
        assertEquals("done\n", posted.body());
        client.send("POST /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response refused = client.read(false);
        assertEquals(405, refused.status(), "POST reaches only the routes that accept it");
        assertEquals("GET, HEAD", refused.header("Allow"));
        client.send("PUT /admin/test HTTP/1.1\r\nHost: t\r\n\r\n");
        final TestHttp.Response put = client.read(false);
        assertEquals(405, put.status());
        assertEquals("GET, HEAD, POST", put.header("Allow"));
        assertEquals(1, calls[0]);
        assertThrows(IllegalArgumentException.class, () -> new Routes().add("/x", (r, w) -> { }).add("/x", (r, w) -> { }));
    }

    @Test
    void shouldExportTheRespondersOwnCounters() throws IOException
    {
        final InetSocketAddress address = start();
        assertEquals(404, TestHttp.get(address, "/nope").status());
        assertEquals(200, TestHttp.get(address, "/healthz").status());
        final TestHttp client = connect(address);
        client.send("BREW /pot HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertEquals(405, client.read(false).status());

        final Map<String, ExpositionParser.Family> families =
            ExpositionParser.parse(TestHttp.get(address, "/metrics").body());
        final ExpositionParser.Family requests = families.get("tcp_proxy_http_requests_total");
        assertEquals("counter", requests.type);
        assertEquals(1.0, requests.value("tcp_proxy_http_requests_total", "code", "404"));
        assertEquals(1.0, requests.value("tcp_proxy_http_requests_total", "code", "405"));
        assertEquals(1.0, requests.value("tcp_proxy_http_requests_total", "code", "200"));
        assertEquals(0.0, families.get("tcp_proxy_http_errors_total").value("tcp_proxy_http_errors_total"));

        final String json = TestHttp.get(address, "/metrics?format=json").body();
        Json.parse(json);
        assertTrue(json.contains("\"http\":{\"requests_by_code\":{\"200\":2,"), json);
    }

    @Test
    void shouldReleaseTheThreadAndThePortOnClose() throws IOException
    {
        final InetSocketAddress address = start();
        final TestHttp idle = connect(address);
        idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, idle.read(false).status());
        assertTrue(responderThreadAlive());

        endpoint.close();

        assertFalse(responderThreadAlive());
        assertTrue(idle.awaitClosed(), "open connections are closed");
        try (ServerSocket rebound = new ServerSocket())
        {
            rebound.setReuseAddress(true);
            rebound.bind(address);
            assertEquals(address.getPort(), rebound.getLocalPort());
        }
        endpoint.close();
    }

    @Test
    void shouldStartThroughServiceLoader() throws Exception
    {
        final io.tcpproxy.metrics.MetricsEndpointFactory factory = java.util.ServiceLoader
            .load(io.tcpproxy.metrics.MetricsEndpointFactory.class).findFirst().orElseThrow();
        assertEquals(HttpMetricsEndpointFactory.class, factory.getClass());

        try (io.tcpproxy.metrics.MetricsEndpoint started = factory.start(ANY_PORT, snapshot::get))
        {
            final TestHttp.Response response = TestHttp.get(started.localAddress(), "/metrics?format=json");
            assertEquals(200, response.status());
            assertTrue(response.body().startsWith("{\"active_connections\":3,"));
        }
        assertFalse(responderThreadAlive());
    }

    @Test
    void shouldFailToStartOnABusyPort() throws IOException
    {
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                busy.getLocalPort());
            assertThrows(IOException.class, () -> new HttpMetricsEndpointFactory().start(address, snapshot::get));
        }
        assertFalse(responderThreadAlive());
    }

    private static HttpLimits limits(final int maxConnections, final long headTimeoutNs, final long idleTimeoutNs)
    {
        final HttpLimits defaults = HttpLimits.defaults();
        return new HttpLimits(maxConnections, defaults.maxHeadBytes(), headTimeoutNs, idleTimeoutNs,
            defaults.writeTimeoutNs(), defaults.lingerTimeoutNs(), defaults.acceptPauseNs(),
            defaults.eventIntervalNs(), defaults.maxEventBacklogBytes());
    }

    private static boolean responderThreadAlive()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(HttpMetricsEndpoint.THREAD_NAME) && thread.isAlive())
            {
                return true;
            }
        }
        return false;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(1));
    }
}
