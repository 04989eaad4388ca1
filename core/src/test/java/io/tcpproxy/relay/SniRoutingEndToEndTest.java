package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.config.TomlConfigLoader;
import io.tcpproxy.metrics.RouteFamilies;
import io.tcpproxy.testsupport.Await;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real TLS through the proxy, never terminated there: Java TLS servers with their own certificates in two pools
 * ({@code api}: alpha.test, {@code web}: beta.test) and a default pool, chosen by {@code [[route]]} tables on the
 * client's server name and ALPN protocols. Each server prefixes its echo with its own name, so a reply says which
 * backend answered; the certificate the client saw says the same for the handshake.
 */
class SniRoutingEndToEndTest
{
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final int ECHO_BYTES = 1024;
    private static final X500Principal ALPHA = new X500Principal("CN=alpha.test");
    private static final X500Principal BETA = new X500Principal("CN=beta.test");

    @Test
    @Timeout(90)
    void shouldRouteEachServerNameToItsPoolAndRelayTheHandshakeUntouched() throws Exception
    {
        try (ThreePools pools = new ThreePools("default"))
        {
            assertReachedBy(pools.api, ALPHA, pools.exchange("api.test"));
            assertReachedBy(pools.api, ALPHA, pools.exchange("v2.API.test"));
            assertReachedBy(pools.web, BETA, pools.exchange("web.test"));
            assertReachedBy(pools.fallback, ALPHA, pools.exchange("unknown.test"));
            assertReachedBy(pools.fallback, ALPHA, pools.exchange(null));

            pools.awaitRouted(2, 1, 2);
            assertEquals(2, pools.api.served());
            assertEquals(1, pools.web.served());
            assertEquals(2, pools.fallback.served());
        }
    }

    @Test
    @Timeout(90)
    void shouldRouteByAlpnAmongRoutesForTheSameName() throws Exception
    {
        try (ThreePools pools = new ThreePools("default"))
        {
            final Exchange h2 = pools.exchange("app.test", "h2", "http/1.1");
            assertReachedBy(pools.api, ALPHA, h2);
            assertEquals("h2", h2.applicationProtocol, "the api server agreed to h2 over the relayed hello");

            final Exchange http1 = pools.exchange("app.test", "http/1.1");
            assertReachedBy(pools.web, BETA, http1);
            assertEquals("http/1.1", http1.applicationProtocol);

            assertReachedBy(pools.web, BETA, pools.exchange("app.test"));

            pools.awaitRouted(1, 2, 0);
        }
    }

    @Test
    @Timeout(90)
    void shouldCloseWhatNoRouteNamesWhenThereIsNoDefaultPool() throws Exception
    {
        try (ThreePools pools = new ThreePools(""))
        {
            final Proxy proxy = pools.proxy;
            assertThrows(IOException.class, () -> pools.exchange("unknown.test"), "no route for unknown.test");
            assertThrows(IOException.class, () -> pools.exchange(null), "no route without a name");
            Await.until("two no_route closes", () -> proxy.metrics().closes(CloseReason.NO_ROUTE) == 2, AWAIT);

            try (Socket plain = new Socket())
            {
                plain.setSoTimeout(30_000);
                plain.connect(proxy.localAddress(), 30_000);
                plain.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, plain.getInputStream().read());
            }
            Await.until("a tls_not_tls close", () -> proxy.metrics().closes(CloseReason.TLS_NOT_TLS) == 1, AWAIT);

            // the routes still work, and nothing reached the default pool's server
            assertReachedBy(pools.web, BETA, pools.exchange("web.test"));
            pools.awaitRouted(0, 1, 0);
            assertEquals(0, pools.fallback.served());
            assertEquals(0, pools.api.served());
        }
    }

    @Test
    @Timeout(120)
    void shouldRouteOpensslClientsByTheirServerName() throws Exception
    {
        final File openssl = new File("/usr/bin/openssl");
        if (!openssl.canExecute())
        {
            if (System.getenv("CI") != null)
            {
                fail("CI is set but /usr/bin/openssl is missing: install it (apt-get install openssl)");
            }
            System.err.println("SKIPPED SniRoutingEndToEndTest.shouldRouteOpensslClientsByTheirServerName: " +
                "/usr/bin/openssl is missing");
            Assumptions.abort("/usr/bin/openssl is missing");
        }
        try (ThreePools pools = new ThreePools("default"))
        {
            final String apiOutput = sClient(openssl, pools.proxy.localAddress(), "api.test");
            assertTrue(apiOutput.contains("subject=CN = alpha.test"), apiOutput);
            assertTrue(apiOutput.contains("api ping from openssl"), apiOutput);

            final String webOutput = sClient(openssl, pools.proxy.localAddress(), "web.test");
            assertTrue(webOutput.contains("subject=CN = beta.test"), webOutput);
            assertTrue(webOutput.contains("web ping from openssl"), webOutput);

            pools.awaitRouted(1, 1, 0);
        }
    }

    /**
     * Three TLS echo servers ({@code api} and {@code fallback} with alpha's certificate, {@code web} with beta's), the
     * proxy in front of them as {@link #pooledConfig} sets it up, and a client trusting both certificates.
     */
    private static final class ThreePools implements AutoCloseable
    {
        final TlsEcho api;
        final TlsEcho web;
        final TlsEcho fallback;
        final Proxy proxy;
        private final SSLContext client;

        ThreePools(final String defaultPool) throws Exception
        {
            client = clientTrustingBoth();
            api = new TlsEcho(context("alpha"), "api");
            web = new TlsEcho(context("beta"), "web");
            fallback = new TlsEcho(context("alpha"), "fallback");
            proxy = TestProxies.start(pooledConfig(api, web, fallback, defaultPool));
        }

        /** One exchange through the proxy with this server name (none when null) and these ALPN protocols. */
        Exchange exchange(final String serverName, final String... protocols) throws IOException
        {
            return SniRoutingEndToEndTest.exchange(client, proxy.localAddress(), serverName, List.of(protocols));
        }

        /** Await these counts of {@code tcp_proxy_route_connections} for the routes api, web and default. */
        void awaitRouted(final long toApi, final long toWeb, final long toDefault)
        {
            Await.until("route counts api=" + toApi + " web=" + toWeb + " default=" + toDefault, () ->
            {
                final var s = proxy.metrics();
                return s.value(RouteFamilies.ROUTE_CONNECTIONS, "api") == toApi &&
                    s.value(RouteFamilies.ROUTE_CONNECTIONS, "web") == toWeb &&
                    s.value(RouteFamilies.ROUTE_CONNECTIONS, "default") == toDefault;
            }, AWAIT);
        }

        @Override
        public void close() throws IOException
        {
            proxy.close();
            fallback.close();
            web.close();
            api.close();
        }
    }

    /** The proxy in front of three pools, as a file would configure it. */
    private static ConfigBuilder pooledConfig(
        final TlsEcho api, final TlsEcho web, final TlsEcho fallback, final String defaultPool)
    {
        final String toml = String.join("\n",
            "listen_addr = \"127.0.0.1:0\"",
            "metrics_addr = \"\"",
            "workers = 2",
            "log_events = \"off\"",
            "metrics_log_interval_secs = 0",
            "sni_default_pool = \"" + defaultPool + "\"",
            "",
            "[[upstream]]",
            "addr = \"127.0.0.1:" + api.port() + "\"",
            "pool = \"api\"",
            "",
            "[[upstream]]",
            "addr = \"127.0.0.1:" + web.port() + "\"",
            "pool = \"web\"",
            "",
            "[[upstream]]",
            "addr = \"127.0.0.1:" + fallback.port() + "\"",
            "",
            "[[route]]",
            "sni = [\"api.test\", \"*.api.test\"]",
            "pool = \"api\"",
            "",
            "[[route]]",
            "sni = [\"web.test\"]",
            "pool = \"web\"",
            "",
            "[[route]]",
            "sni = [\"app.test\"]",
            "alpn = [\"h2\"]",
            "pool = \"api\"",
            "",
            "[[route]]",
            "sni = [\"app.test\"]",
            "pool = \"web\"",
            "");
        return TomlConfigLoader.parse(toml, "SniRoutingEndToEndTest.toml");
    }

    private static void assertReachedBy(final TlsEcho expected, final X500Principal certificate, final Exchange exchange)
    {
        final byte[] prefix = (expected.name + " ").getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(prefix, Arrays.copyOf(exchange.reply, prefix.length), "the backend that answered: " +
            new String(exchange.reply, 0, Math.min(exchange.reply.length, 16), StandardCharsets.US_ASCII));
        assertArrayEquals(exchange.sent, Arrays.copyOfRange(exchange.reply, prefix.length, exchange.reply.length),
            "the 1 KiB echo");
        assertEquals(certificate, exchange.serverCertificate, "the certificate the client saw");
    }

    /** What one client saw: the server's certificate, the agreed protocol, the bytes sent and the reply. */
    private static final class Exchange
    {
        final X500Principal serverCertificate;
        final String applicationProtocol;
        final byte[] sent;
        final byte[] reply;

        Exchange(final X500Principal serverCertificate, final String applicationProtocol, final byte[] sent,
            final byte[] reply)
        {
            this.serverCertificate = serverCertificate;
            this.applicationProtocol = applicationProtocol;
            this.sent = sent;
            this.reply = reply;
        }
    }

    /**
     * Handshake through the proxy with this server name (none when null) and these ALPN protocols, send a 1 KiB line,
     * read the prefixed echo (a server name is at most 8 characters plus a space).
     */
    private static Exchange exchange(final SSLContext trust, final InetSocketAddress proxy, final String serverName,
        final List<String> protocols) throws IOException
    {
        final byte[] line = new byte[ECHO_BYTES + 1];
        for (int i = 0; i < ECHO_BYTES; i++)
        {
            line[i] = (byte)('a' + (i * 7 + (serverName == null ? 0 : serverName.length())) % 26);
        }
        line[ECHO_BYTES] = '\n';
        try (Socket tcp = new Socket())
        {
            tcp.setSoTimeout(30_000);
            tcp.connect(proxy, 30_000);
            // the JDK caches sessions by peer host and port and, resuming one, offers that session's server name
            // again: a peer host per name keeps each connection's name its own
            final String peerHost = serverName == null ? "127.0.0.1" : serverName;
            try (SSLSocket tls = (SSLSocket)trust.getSocketFactory().createSocket(tcp, peerHost, proxy.getPort(), true))
            {
                final SSLParameters parameters = tls.getSSLParameters();
                parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
                parameters.setApplicationProtocols(protocols.toArray(new String[0]));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                final Certificate[] chain = tls.getSession().getPeerCertificates();
                final X500Principal subject = ((X509Certificate)chain[0]).getSubjectX500Principal();
                final OutputStream out = tls.getOutputStream();
                out.write(line);
                out.flush();
                final InputStream in = tls.getInputStream();
                final byte[] reply = in.readNBytes(ECHO_BYTES + 1 + 9);
                final int end = indexOf(reply, (byte)'\n');
                if (end < 0)
                {
                    throw new IOException("no full line came back: " + reply.length + " bytes");
                }
                return new Exchange(subject, tls.getApplicationProtocol(), Arrays.copyOf(line, ECHO_BYTES),
                    Arrays.copyOf(reply, end));
            }
        }
    }

    private static int indexOf(final byte[] bytes, final byte value)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == value)
            {
                return i;
            }
        }
        return -1;
    }

    /** {@code openssl s_client -servername} through the proxy, one line sent; its whole output. */
    private static String sClient(final File openssl, final InetSocketAddress proxy, final String serverName)
        throws IOException, InterruptedException
    {
        final Path output = Files.createTempFile("s_client-" + serverName, ".out");
        try
        {
            final Process process = new ProcessBuilder(openssl.getPath(), "s_client",
                "-connect", "127.0.0.1:" + proxy.getPort(), "-servername", serverName, "-ign_eof")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
            try (OutputStream in = process.getOutputStream())
            {
                in.write("ping from openssl\n".getBytes(StandardCharsets.US_ASCII));
            }
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                fail("openssl s_client did not finish within 60 s: " + Files.readString(output));
            }
            return Files.readString(output);
        }
        finally
        {
            Files.deleteIfExists(output);
        }
    }

    /** A client context trusting both test certificates. */
    private static SSLContext clientTrustingBoth() throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        for (final String name : List.of("alpha", "beta"))
        {
            trusted.setCertificateEntry(name, load(name).getCertificate(name));
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(final String name) throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = SniRoutingEndToEndTest.class.getResourceAsStream("/tls/" + name + ".p12"))
        {
            store.load(in, PASSWORD);
        }
        return store;
    }

    /** A server context with this name's key (self-signed, made with keytool). */
    static SSLContext context(final String name) throws Exception
    {
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(name), PASSWORD);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** A TLS server that answers one line per connection with its own name, a space and the line. */
    static final class TlsEcho implements AutoCloseable
    {
        private final SSLServerSocket listener;
        private final String name;
        private final AtomicInteger served = new AtomicInteger();

        TlsEcho(final SSLContext context, final String name) throws IOException
        {
            this.name = name;
            listener = (SSLServerSocket)context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            final SSLParameters parameters = listener.getSSLParameters();
            parameters.setApplicationProtocols(new String[] { "h2", "http/1.1" });
            listener.setSSLParameters(parameters);
            final Thread thread = new Thread(this::serve, "tls-echo-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return listener.getLocalPort();
        }

        int served()
        {
            return served.get();
        }

        private void serve()
        {
            while (!listener.isClosed())
            {
                try (Socket socket = listener.accept())
                {
                    socket.setSoTimeout(30_000);
                    final BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    final String line = in.readLine();
                    if (line == null)
                    {
                        continue;
                    }
                    served.incrementAndGet();
                    socket.getOutputStream().write((name + " " + line + "\n").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
                catch (final SSLException ex)
                {
                    // a client that gave up on the handshake: serve the next one
                }
                catch (final IOException ex)
                {
                    if (listener.isClosed())
                    {
                        return;
                    }
                }
            }
        }

        public void close() throws IOException
        {
            listener.close();
        }
    }
}
