package io.tcpproxy.http;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.ReloadFamilies;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.ClientSockets;
import io.tcpproxy.testsupport.ConsoleBuffer;
import io.tcpproxy.testsupport.EchoServer;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The admin API on the metrics address (issue 16), against a real proxy started from a TOML file: the token, the
 * status codes, the reload result and the connection list paged over 5,000 connections.
 */
class AdminApiTest
{
    private static final String TOKEN = "s3cret-token";
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(60);

    @TempDir
    Path dir;

    private final ConsoleBuffer console = new ConsoleBuffer();
    private final ClientSockets clients = new ClientSockets();
    private ServerSocket upstream;
    private Process echo;
    private Proxy proxy;

    @AfterEach
    void tearDown() throws IOException, InterruptedException
    {
        clients.close();
        if (proxy != null)
        {
            proxy.close();
        }
        if (upstream != null)
        {
            upstream.close();
        }
        if (echo != null)
        {
            echo.getOutputStream().close(); // the child exits when its input closes
            if (!echo.waitFor(30, TimeUnit.SECONDS))
            {
                echo.destroyForcibly();
            }
        }
    }

    @Test
    void shouldAnswer404WhileNoTokenIsSet() throws Exception
    {
        start("", "127.0.0.1:" + startPlainUpstream());
        assertEquals(404, request("POST", "/admin/reload", null).status());
        assertEquals(404, request("GET", "/admin/connections", "Bearer ").status());
        assertEquals(200, request("GET", "/healthz", null).status(), "non-admin paths stay open");
    }

    @Test
    void shouldRefuseAMissingOrWrongTokenAndCountIt() throws Exception
    {
        start(TOKEN, "127.0.0.1:" + startPlainUpstream());
        final TestHttp.Response missing = request("POST", "/admin/reload", null);
        assertEquals(401, missing.status());
        assertEquals("HTTP/1.1 401 Unauthorized", missing.statusLine());
        assertEquals("Bearer", missing.header("WWW-Authenticate"));
        assertEquals(401, request("POST", "/admin/reload", "Bearer wrong-token").status());
        assertEquals(401, request("POST", "/admin/reload", "Bearer " + TOKEN + "x").status());
        assertEquals(401, request("POST", "/admin/reload", "Basic " + TOKEN).status());
        assertEquals(401, request("GET", "/admin/connections", "bearer " + TOKEN).status());
        assertEquals(200, request("GET", "/admin/connections", "Bearer " + TOKEN).status());
        await("the refusals counted", () ->
            proxy.metrics().value(ReloadFamilies.ADMIN_REQUESTS, "unauthorized") == 5 &&
            proxy.metrics().value(ReloadFamilies.ADMIN_REQUESTS, "ok") == 1);
        assertTrue(console().contains("[ADMIN] POST /admin/reload -> 401"), console());
        assertTrue(console().contains("[ADMIN] GET /admin/connections -> 200"), console());
        assertEquals(0, proxy.metrics().value(ReloadFamilies.RELOADS, "applied"), "no reload without the token");
        final String text = TestHttp.get(proxy.metricsAddress(), "/metrics").body();
        assertTrue(text.contains("tcp_proxy_admin_requests_total{result=\"unauthorized\"} 5"), text);
    }

    @Test
    void shouldAnswer404And405ForUnknownPathsAndMethods() throws Exception
    {
        start(TOKEN, "127.0.0.1:" + startPlainUpstream());
        final String auth = "Bearer " + TOKEN;
        final TestHttp.Response getReload = request("GET", "/admin/reload", auth);
        assertEquals(405, getReload.status());
        assertEquals("POST", getReload.header("Allow"));
        assertEquals(405, request("POST", "/admin/connections", auth).status());
        assertEquals(405, request("GET", "/admin/upstreams/127.0.0.1:1/drain", auth).status());
        assertEquals(405, request("DELETE", "/admin/reload", auth).status());
        assertEquals(404, request("GET", "/admin/nothing", auth).status());
        assertEquals(404, request("POST", "/admin/", auth).status());
        final TestHttp.Response unknownServer = request("POST", "/admin/upstreams/127.0.0.1:1/drain", auth);
        assertEquals(404, unknownServer.status());
        assertTrue(unknownServer.body().contains("no upstream server 127.0.0.1:1"), unknownServer.body());
        assertEquals(404, request("POST", "/admin/upstreams/127.0.0.1:1/explode", auth).status());
        assertEquals(400, request("GET", "/admin/connections?limit=0", auth).status());
        assertEquals(400, request("GET", "/admin/connections?after=x", auth).status());
        await("counted by result", () ->
            proxy.metrics().value(ReloadFamilies.ADMIN_REQUESTS, "method_not_allowed") == 3 &&
            proxy.metrics().value(ReloadFamilies.ADMIN_REQUESTS, "not_found") == 4 &&
            proxy.metrics().value(ReloadFamilies.ADMIN_REQUESTS, "bad_request") == 2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReloadAndAnswerTheResultAsJson() throws Exception
    {
        final String target = "127.0.0.1:" + startPlainUpstream();
        start(TOKEN, target);
        final String auth = "Bearer " + TOKEN;

        write(TOKEN, target, "idle_timeout_secs = 60\nworkers = 3\n");
        final TestHttp.Response applied = request("POST", "/admin/reload", auth);
        assertEquals(200, applied.status());
        assertEquals("application/json", applied.header("Content-Type"));
        final Map<String, Object> result = (Map<String, Object>)Json.parse(applied.body());
        assertEquals("applied", result.get("result"));
        assertNull(result.get("error"));
        assertEquals(List.of("idle_timeout_secs (0 → 60)"), result.get("changes"));
        assertEquals(List.of("workers (2 → 3)"), result.get("needs_restart"));
        assertEquals(proxy.configHash(), result.get("hash"));
        assertEquals(60, proxy.config().idleTimeoutSecs());

        write(TOKEN, target, "balance = \"sideways\"\n");
        final TestHttp.Response rejected = request("POST", "/admin/reload", auth);
        assertEquals(200, rejected.status());
        final Map<String, Object> rejection = (Map<String, Object>)Json.parse(rejected.body());
        assertEquals("rejected", rejection.get("result"));
        assertTrue(((String)rejection.get("error")).startsWith(file() + ":7: balance: expected one of"),
            rejected.body());
        assertEquals(List.of(), rejection.get("changes"));
        assertEquals(60, proxy.config().idleTimeoutSecs(), "nothing changed");

        // a reload can change the token itself: the old one stops working at once
        write("n3w-token", target, "");
        assertEquals(200, request("POST", "/admin/reload", auth).status());
        assertEquals(401, request("GET", "/admin/connections", auth).status());
        assertEquals(200, request("GET", "/admin/connections", "Bearer n3w-token").status());
        await("the reloads counted", () ->
            proxy.metrics().value(ReloadFamilies.RELOADS, "applied") == 2 &&
            proxy.metrics().value(ReloadFamilies.RELOADS, "rejected") == 1);
        final Map<String, Object> json = (Map<String, Object>)Json.parse(
            TestHttp.get(proxy.metricsAddress(), "/metrics?format=json").body());
        assertEquals(Map.of("applied", 2L, "rejected", 1L), json.get("config_reloads"), json.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldPageFiveThousandConnections() throws Exception
    {
        final int echoPort = startEchoProcess();
        start(TOKEN, "127.0.0.1:" + echoPort);
        final int count = 5000;
        final Set<String> clientAddresses = new HashSet<>();
        for (int i = 0; i < count; i++)
        {
            final Socket client = clients.connect(proxy.localAddress());
            client.getOutputStream().write(new byte[]{1, 2, 3});
            clientAddresses.add("127.0.0.1:" + client.getLocalPort());
        }
        for (final Socket client : clients.all())
        {
            final byte[] back = client.getInputStream().readNBytes(3);
            assertEquals(3, back.length, "echo through the proxy");
        }
        await("5000 open connections", () -> proxy.activeConnections() == count);

        final Set<String> listed = new HashSet<>();
        final Set<Long> ids = new HashSet<>();
        String after = "";
        int pages = 0;
        while (true)
        {
            final TestHttp.Response response = request("GET", "/admin/connections?limit=1000" + after,
                "Bearer " + TOKEN);
            assertEquals(200, response.status(), response.body());
            final Map<String, Object> page = (Map<String, Object>)Json.parse(response.body());
            assertEquals(Boolean.TRUE, page.get("complete"));
            final List<Map<String, Object>> connections = (List<Map<String, Object>>)page.get("connections");
            assertTrue(connections.size() <= 1000);
            for (final Map<String, Object> connection : connections)
            {
                assertTrue(ids.add((Long)connection.get("id")), "listed twice: " + connection);
                listed.add((String)connection.get("client"));
                assertEquals("127.0.0.1:" + echoPort, connection.get("upstream"));
                assertEquals("relaying", connection.get("state"));
                assertEquals(3L, connection.get("bytes_upstream"));
                assertEquals(3L, connection.get("bytes_downstream"));
                assertTrue(((Number)connection.get("age_seconds")).doubleValue() >= 0);
                assertTrue(connection.get("worker") instanceof Long);
            }
            pages++;
            if (page.get("next_after") == null)
            {
                break;
            }
            assertTrue(pages < 10, "too many pages");
            after = "&after=" + page.get("next_after");
        }
        assertEquals(5, pages);
        assertEquals(count, ids.size());
        assertEquals(clientAddresses, listed);
    }

    @Test
    void shouldDrainThenDisableAServerClosingItsConnectionsAsAdminDisabled() throws Exception
    {
        final int port = startPlainUpstream(); // connects (the backlog) and never answers: the connection stays open
        start(TOKEN, "127.0.0.1:" + port);
        final String auth = "Bearer " + TOKEN;
        final Socket client = clients.connect(proxy.localAddress());
        client.getOutputStream().write(1);
        await("the connection to reach the server", () -> proxy.upstreams().get(0).activeConnections() == 1);

        final String server = "/admin/upstreams/127.0.0.1:" + port;
        assertEquals(200, request("POST", server + "/drain", auth).status());
        assertEquals(1, proxy.upstreams().get(0).activeConnections(), "a drain keeps open connections");
        final String label = "127.0.0.1:" + port;
        await("the drain to show in tcp_proxy_upstream_up and tcp_proxy_upstream_draining",
            () -> proxy.metrics().value(io.tcpproxy.metrics.UpstreamFamilies.UP, label, "default") == 0 &&
                proxy.metrics().value(io.tcpproxy.metrics.UpstreamFamilies.DRAINING, label, "default") == 1);
        assertEquals(200, request("POST", server + "/disable", auth).status());

        int end;
        try
        {
            end = client.getInputStream().read();
        }
        catch (final IOException reset)
        {
            end = -2; // a reset: the proxy cut a stream that had not ended
        }
        assertEquals(-2, end, "a disabled server's connection is cut with a reset, never a clean EOF");
        await("the close to be counted as admin_disabled",
            () -> proxy.metrics().closes(io.tcpproxy.CloseReason.ADMIN_DISABLED) == 1);
        assertTrue(console().contains("closed 1 connections (admin_disabled)"), console());
        assertEquals(200, request("POST", server + "/enable", auth).status());
        await("enable to show in the metrics", () -> proxy.metrics().value(io.tcpproxy.metrics.UpstreamFamilies.UP,
            label, "default") == 1 &&
            proxy.metrics().value(io.tcpproxy.metrics.UpstreamFamilies.DRAINING, label, "default") == 0);
    }

    private int startPlainUpstream() throws IOException
    {
        upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        return upstream.getLocalPort();
    }

    /** An echo server in a child JVM: 5,000 connections need more descriptors than this process may hold. */
    private int startEchoProcess() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        echo = new ProcessBuilder(java, "-Xmx64m", "-cp", EchoServer.classPath(), EchoServer.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(echo.getInputStream(),
            StandardCharsets.US_ASCII));
        final String line = out.readLine();
        if (line == null || !line.startsWith("port "))
        {
            fail("the echo process did not start: " + line);
        }
        return Integer.parseInt(line.substring(5).trim());
    }

    private void start(final String token, final String target) throws IOException
    {
        write(token, target, "");
        proxy = Proxy.start(Config.fromFile(file()), console.stream());
    }

    private void write(final String token, final String target, final String extra) throws IOException
    {
        Files.writeString(file(), "# admin test\n" +
            "listen_addr = \"127.0.0.1:0\"\n" +
            "target_addr = \"" + target + "\"\n" +
            "metrics_addr = \"127.0.0.1:0\"\n" +
            "admin_token = \"" + token + "\"\n" +
            (extra.contains("workers") ? "" : "workers = 2\n") +
            extra);
    }

    private Path file()
    {
        return dir.resolve("proxy.toml");
    }

    private TestHttp.Response request(final String method, final String target, final String authorization)
        throws IOException
    {
        final InetSocketAddress address = proxy.metricsAddress();
        try (TestHttp client = new TestHttp(address))
        {
            client.send(method + " " + target + " HTTP/1.1\r\nHost: test\r\n" +
                (authorization == null ? "" : "Authorization: " + authorization + "\r\n") +
                "Connection: close\r\n\r\n");
            return client.read(false);
        }
    }

    private String console()
    {
        return console.text();
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        Await.until(what, condition, Duration.ofNanos(AWAIT_NS), Duration.ofMillis(10));
    }

}
