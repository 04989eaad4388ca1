package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.SendProxyProtocol;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.tcpproxy.relay.ProxyProtocolPeers.CLIENT_IP;
import static io.tcpproxy.relay.ProxyProtocolPeers.exchange;
import static io.tcpproxy.testsupport.FreePorts.freePort;
import static io.tcpproxy.relay.ProxyProtocolPeers.startAccepting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The PROXY protocol against HAProxy both ways: HAProxy {@code send-proxy-v2} in front of the proxy (which accepts
 * it), and the proxy sending v1 to HAProxy {@code accept-proxy} (which passes the client on with {@code send-proxy}
 * to a recording upstream, proving it understood our header). Skipped, with a message, where HAProxy is not
 * installed; under {@code CI=true} a missing HAProxy fails.
 */
class HaproxyInteropTest
{
    private static final byte[] PAYLOAD = "through haproxy".getBytes(StandardCharsets.US_ASCII);
    private static Path haproxy;

    @TempDir
    Path directory;

    @BeforeAll
    static void findHaproxy()
    {
        for (final String candidate : List.of("/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy",
            "/usr/local/bin/haproxy"))
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                haproxy = Path.of(candidate);
                return;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("CI")))
        {
            fail("haproxy is not installed, and CI=true requires the PROXY-protocol interop test to run");
        }
        System.err.println("HaproxyInteropTest SKIPPED: haproxy is not installed (set CI=true to make this a failure)");
        Assumptions.abort("haproxy is not installed");
    }

    @Test
    @Timeout(90)
    void shouldAcceptTheV2HeaderHaproxySends() throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE);
            Proxy proxy = startAccepting(upstream.address(), "127.0.0.1/32"))
        {
            final int haproxyPort = freePort();
            final Process process = startHaproxy(haproxyPort, "", proxy.localAddress().getPort(), "send-proxy-v2");
            try
            {
                try
                {
                    exchange(haproxyPort, PAYLOAD);
                }
                catch (final AssertionError | IOException ex)
                {
                    fail("no echo through haproxy: proxy metrics " + proxy.metrics().families() + "; haproxy log: " +
                        Files.readString(directory.resolve("haproxy-" + haproxyPort + ".log")), ex);
                }
                assertArrayEquals(PAYLOAD, upstream.received());
                ProxyAwait.metrics(proxy, "the client HAProxy named, in the per-client metrics",
                    (s) -> ProxyProtocolEndToEndTest.hasClient(s, CLIENT_IP));
            }
            finally
            {
                stop(process);
            }
        }
    }

    @Test
    @Timeout(90)
    void shouldSendAV1HeaderHaproxyAccepts() throws Exception
    {
        try (Recorder upstream = new Recorder(Integer.MAX_VALUE))
        {
            final int haproxyPort = freePort();
            final Process process = startHaproxy(haproxyPort, "accept-proxy", upstream.socketAddress().getPort(),
                "send-proxy");
            try (Proxy proxy = TestProxies.start(TestProxies.configFor("127.0.0.1:" + haproxyPort)
                .sendProxyProtocol(SendProxyProtocol.V1)))
            {
                final int clientPort = exchange(proxy.localAddress().getPort(), PAYLOAD);
                final String received = new String(upstream.received(), StandardCharsets.US_ASCII);
                final String expectedHeader = "PROXY TCP4 " + CLIENT_IP + " 127.0.0.1 " + clientPort + " " +
                    proxy.localAddress().getPort() + "\r\n";
                assertEquals(expectedHeader + new String(PAYLOAD, StandardCharsets.US_ASCII), received,
                    "HAProxy passed on the client our header named");
            }
            finally
            {
                stop(process);
            }
        }
    }

    private Process startHaproxy(final int port, final String bindOptions, final int serverPort,
        final String serverOptions) throws Exception
    {
        final Path config = directory.resolve("haproxy-" + port + ".cfg");
        Files.writeString(config, String.join("\n",
            "global",
            "    maxconn 64",
            "defaults",
            "    mode tcp",
            "    timeout connect 5s",
            "    timeout client 30s",
            "    timeout server 30s",
            "frontend in",
            "    bind 127.0.0.1:" + port + " " + bindOptions,
            "    default_backend out",
            "backend out",
            "    server s1 127.0.0.1:" + serverPort + " " + serverOptions,
            ""));
        final Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("haproxy-" + port + ".log").toFile())
            .start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try (Socket probe = new Socket())
            {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return process;
            }
            catch (final IOException ex)
            {
                if (!process.isAlive() || System.nanoTime() - deadlineNs > 0)
                {
                    stop(process);
                    fail("haproxy did not start listening: " +
                        Files.readString(directory.resolve("haproxy-" + port + ".log")));
                }
                Thread.sleep(20);
            }
        }
    }

    private static void stop(final Process process) throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
    }
}
