package io.tcpproxy.relay;

import io.tcpproxy.testsupport.Await;
import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.metrics.MetricsSnapshot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tcpproxy.relay.ProxyProtocolPeers.CLIENT_IP;
import static io.tcpproxy.relay.ProxyProtocolPeers.exchange;
import static io.tcpproxy.testsupport.FreePorts.freePort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PROXY protocol against nginx ({@code stream}) both ways, nginx running as a child process of this test with its
 * own prefix, configuration, pid and logs in a temporary directory:
 * <ul>
 * <li>nginx in front with {@code proxy_protocol on} (it sends v1): the proxy accepts the header from its trusted
 * address and passes the client nginx named on, in its own v1 or v2 header, to a recording upstream;</li>
 * <li>the proxy in front with {@code send_proxy_protocol} v1 and v2 to nginx {@code listen ... proxy_protocol}: nginx's
 * {@code $proxy_protocol_addr} and {@code $proxy_protocol_port} (its access log) and the header it sends on with
 * {@code set_real_ip_from} and {@code proxy_protocol on} name the real client socket.</li>
 * </ul>
 * Skipped, with a message, where nginx is not installed; under {@code CI=true} a missing nginx fails.
 */
class NginxProxyProtocolInteropTest
{
    private static final byte[] PAYLOAD = "through nginx, PROXY header and all".getBytes(StandardCharsets.US_ASCII);
    private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
    private static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static Path nginx;

    @TempDir
    Path directory;

    @BeforeAll
    static void findNginx()
    {
        for (final String candidate : List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx",
            "/usr/local/bin/nginx", "/usr/local/nginx/sbin/nginx"))
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                nginx = Path.of(candidate);
                return;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            fail("nginx is not installed, and CI=true requires the PROXY-protocol interop test to run " +
                "(apt-get install nginx-light libnginx-mod-stream)");
        }
        System.err.println("NginxProxyProtocolInteropTest SKIPPED: nginx is not installed (set CI=true to make this " +
            "a failure)");
        Assumptions.abort("nginx is not installed");
    }

    @ParameterizedTest
    @EnumSource(value = SendProxyProtocol.class, names = { "V1", "V2" })
    @Timeout(90)
    void shouldPassOnTheClientNginxNamesInItsHeader(final SendProxyProtocol sent) throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream.address())
                .acceptProxyProtocol(true).proxyProtocolTrusted(List.of("127.0.0.1/32")).sendProxyProtocol(sent)))
        {
            final int nginxPort = freePort();
            final Process process = startNginx(nginxPort, String.join("\n",
                "        listen 127.0.0.1:" + nginxPort + ";",
                "        proxy_pass 127.0.0.1:" + proxy.localAddress().getPort() + ";",
                "        proxy_protocol on;"));
            try
            {
                final int clientPort = exchangeOrExplain(nginxPort, proxy);
                final byte[] received = upstream.received();
                final Header header = sent == SendProxyProtocol.V1 ? Header.v1(received) : Header.v2(received);
                assertEquals(CLIENT_IP, header.sourceIp(), "the client nginx named, passed on by the proxy");
                assertEquals(clientPort, header.sourcePort(), "the client socket's own port, passed on by the proxy");
                assertArrayEquals(PAYLOAD, Arrays.copyOfRange(received, header.length(), received.length),
                    "the client's bytes after the header, intact");
                ProxyAwait.metrics(proxy, "the client nginx named, in the per-client metrics",
                    (s) -> ProxyProtocolEndToEndTest.hasClient(s, CLIENT_IP));
            }
            finally
            {
                stop(process);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = SendProxyProtocol.class, names = { "V1", "V2" })
    @Timeout(90)
    void shouldSendAHeaderNginxAccepts(final SendProxyProtocol sent) throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE))
        {
            final int nginxPort = freePort();
            final Path accessLog = directory.resolve("nginx-access.log");
            final Process process = startNginx(nginxPort, String.join("\n",
                "        listen 127.0.0.1:" + nginxPort + " proxy_protocol;",
                "        set_real_ip_from 127.0.0.1;",
                "        access_log " + accessLog + " client;",
                "        proxy_pass 127.0.0.1:" + upstream.socketAddress().getPort() + ";",
                "        proxy_protocol on;"));
            try (Proxy proxy = TestProxies.start(TestProxies.configFor("127.0.0.1:" + nginxPort)
                .sendProxyProtocol(sent)))
            {
                final int clientPort = exchangeOrExplain(proxy.localAddress().getPort(), proxy);

                final String learned = CLIENT_IP + " " + clientPort;
                Await.until("nginx's access log line of $proxy_protocol_addr $proxy_protocol_port", () ->
                    readOrEmpty(accessLog).contains("proxy_protocol " + learned + " remote " + learned),
                    DEADLINE, () -> "in: " + readOrEmpty(accessLog) + "; error log: " + errorLog());

                final byte[] received = upstream.received();
                final Header header = Header.v1(received);
                assertEquals(CLIENT_IP, header.sourceIp(), "the client our header named, as nginx passed it on");
                assertEquals(clientPort, header.sourcePort(), "the client socket's own port, as nginx passed it on");
                assertArrayEquals(PAYLOAD, Arrays.copyOfRange(received, header.length(), received.length),
                    "the client's bytes after the header, intact");
            }
            finally
            {
                stop(process);
            }
        }
    }

    /**
     * One nginx in the foreground, one process (no master), everything it writes in the test's directory.
     *
     * @param server the directives of the one stream {@code server} block.
     */
    private Process startNginx(final int port, final String server) throws Exception
    {
        final Path config = directory.resolve("nginx.conf");
        Files.writeString(config, String.join("\n",
            Files.isRegularFile(STREAM_MODULE) ? "load_module " + STREAM_MODULE + ";" : "# stream built in",
            "daemon off;",
            "master_process off;",
            "worker_processes 1;",
            "pid " + directory.resolve("nginx.pid") + ";",
            "error_log " + directory.resolve("nginx-error.log") + " info;",
            "events {",
            "    worker_connections 64;",
            "}",
            "stream {",
            "    log_format client 'proxy_protocol $proxy_protocol_addr $proxy_protocol_port " +
                "remote $remote_addr $remote_port';",
            "    server {",
            server,
            "        proxy_connect_timeout 10s;",
            "        proxy_timeout 30s;",
            "        proxy_protocol_timeout 30s;",
            "        proxy_half_close on;",
            "    }",
            "}",
            ""));
        final Process process = new ProcessBuilder(nginx.toString(), "-p", directory + "/", "-e",
            directory.resolve("nginx-error.log").toString(), "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("nginx.out").toFile())
            .start();
        // Ready when the pid file names it: nginx writes it after its sockets listen. Not a probe connection:
        // through nginx with proxy_protocol on, a probe would reach the recording upstream and be recorded.
        final Path pidFile = directory.resolve("nginx.pid");
        final String pid = Long.toString(process.pid());
        final long deadlineNs = System.nanoTime() + DEADLINE.toNanos();
        while (!readOrEmpty(pidFile).strip().equals(pid))
        {
            if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
            {
                stop(process);
                fail("nginx did not start: " + readOrEmpty(directory.resolve("nginx.out")) + " " + errorLog());
            }
            Thread.sleep(20);
        }
        return process;
    }

    private int exchangeOrExplain(final int port, final Proxy proxy) throws Exception
    {
        try
        {
            return exchange(port, PAYLOAD);
        }
        catch (final AssertionError | IOException ex)
        {
            final MetricsSnapshot metrics = proxy.metrics();
            return fail("no reply through nginx and the proxy: the proxy closed " +
                metrics.closes(CloseReason.PROXY_PROTOCOL_ERROR) + " for proxy_protocol_error, " +
                metrics.closes(CloseReason.PROXY_PROTOCOL_UNTRUSTED) + " for proxy_protocol_untrusted; nginx error " +
                "log: " + errorLog(), ex);
        }
    }

    private String errorLog()
    {
        return readOrEmpty(directory.resolve("nginx-error.log"));
    }

    private static String readOrEmpty(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Stops the nginx this test started (SIGTERM, then SIGKILL), never another one. */
    private static void stop(final Process process) throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The source of a PROXY header the recording upstream got, read by hand from the spec's layout. */
    private record Header(String sourceIp, int sourcePort, int length)
    {
        /** {@code PROXY TCP4 SRC DST SRCPORT DSTPORT\r\n}. */
        static Header v1(final byte[] received)
        {
            final String text = new String(received, StandardCharsets.US_ASCII);
            final int end = text.indexOf("\r\n");
            assertTrue(text.startsWith("PROXY TCP4 ") && end > 0, "a v1 TCP4 header: " + text);
            final String[] fields = text.substring(0, end).split(" ");
            assertEquals(6, fields.length, text);
            return new Header(fields[2], Integer.parseInt(fields[4]), end + 2);
        }

        /** Signature, version 2 PROXY, TCP over IPv4, length, then source, destination, their ports. */
        static Header v2(final byte[] received)
        {
            assertTrue(received.length >= 16 + 12, "a v2 header: " + received.length + " bytes");
            assertArrayEquals(V2_SIGNATURE, Arrays.copyOf(received, 12), "the v2 signature");
            final ByteBuffer header = ByteBuffer.wrap(received);
            assertEquals(0x21, header.get(12) & 0xFF, "version 2, command PROXY");
            assertEquals(0x11, header.get(13) & 0xFF, "TCP over IPv4");
            final int addressBytes = header.getShort(14) & 0xFFFF;
            assertTrue(addressBytes >= 12 && received.length >= 16 + addressBytes, "address block " + addressBytes);
            final String source = (header.get(16) & 0xFF) + "." + (header.get(17) & 0xFF) + "." +
                (header.get(18) & 0xFF) + "." + (header.get(19) & 0xFF);
            return new Header(source, header.getShort(24) & 0xFFFF, 16 + addressBytes);
        }
    }
}
