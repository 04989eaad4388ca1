package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Route;
import io.tcpproxy.metrics.RouteFamilies;
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
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Real TLS through the proxy, never terminated there: a Java TLS server with its own certificate behind a route by
 * server name; a client asking for that name completes the handshake and an echo through the peeked bytes, one
 * asking for another name is closed with no_route, a client that does not speak TLS with tls_not_tls.
 */
class SniRoutingEndToEndTest
{
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    @Timeout(60)
    void shouldRouteARealTlsHandshakeByServerNameAndRelayItUntouched() throws Exception
    {
        final SSLContext alpha = context("alpha");
        try (TlsEcho backend = new TlsEcho(alpha);
            Proxy proxy = TestProxies.start(TestProxies.configFor("127.0.0.1:" + backend.port())
                .route(Route.builder().sni(List.of("alpha.test", "*.alpha.test")).pool("default").build())
                .sniDefaultPool("")))
        {
            for (final String name : List.of("alpha.test", "www.alpha.test"))
            {
                final byte[] message = ("hello " + name).getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(message, echo(alpha, proxy.localAddress(), name, message));
            }
            Await.metrics(proxy, "two routed connections",
                (s) -> s.value(RouteFamilies.ROUTE_CONNECTIONS, "default") == 2);

            assertThrows(IOException.class,
                () -> echo(alpha, proxy.localAddress(), "beta.test", new byte[] { 1 }), "no route for beta.test");
            Await.metrics(proxy, "a no_route close", (s) -> s.closes(CloseReason.NO_ROUTE) == 1);

            try (Socket plain = new Socket())
            {
                plain.setSoTimeout(30_000);
                plain.connect(proxy.localAddress(), 30_000);
                plain.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals(-1, plain.getInputStream().read());
            }
            Await.metrics(proxy, "a tls_not_tls close", (s) -> s.closes(CloseReason.TLS_NOT_TLS) == 1);
        }
    }

    @Test
    @Timeout(60)
    void shouldSendWhatRoutesCannotNameToTheDefaultPool() throws Exception
    {
        final SSLContext beta = context("beta");
        try (TlsEcho backend = new TlsEcho(beta);
            Proxy proxy = TestProxies.start(TestProxies.configFor("127.0.0.1:" + backend.port())
                .route(Route.builder().sni(List.of("never.test")).pool("default").build())
                .sniDefaultPool("default")))
        {
            final byte[] message = "to the default pool".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(message, echo(beta, proxy.localAddress(), "beta.test", message));
            Await.metrics(proxy, "one connection routed to the default pool",
                (s) -> s.value(RouteFamilies.ROUTE_CONNECTIONS, "default") == 1);
        }
    }

    /** Handshake with this server name through the proxy, send the message, read its echo. */
    private static byte[] echo(final SSLContext trust, final InetSocketAddress proxy, final String serverName,
        final byte[] message) throws IOException
    {
        try (Socket tcp = new Socket())
        {
            tcp.setSoTimeout(30_000);
            tcp.connect(proxy, 30_000);
            try (SSLSocket tls = (SSLSocket)trust.getSocketFactory().createSocket(tcp, serverName, proxy.getPort(), true))
            {
                final SSLParameters parameters = tls.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                final OutputStream out = tls.getOutputStream();
                out.write(message.length);
                out.write(message);
                out.flush();
                final byte[] reply = new byte[message.length];
                new DataInputStream(tls.getInputStream()).readFully(reply);
                return reply;
            }
        }
    }

    /** A context with this name's key and trusting its certificate (self-signed, made with keytool). */
    static SSLContext context(final String name) throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = SniRoutingEndToEndTest.class.getResourceAsStream("/tls/" + name + ".p12"))
        {
            store.load(in, PASSWORD);
        }
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    /** A TLS server that echoes one length-prefixed message per connection. */
    static final class TlsEcho implements AutoCloseable
    {
        private final SSLServerSocket listener;

        TlsEcho(final SSLContext context) throws IOException
        {
            listener = (SSLServerSocket)context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            final Thread thread = new Thread(this::serve, "tls-echo");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return listener.getLocalPort();
        }

        private void serve()
        {
            while (!listener.isClosed())
            {
                try (Socket socket = listener.accept())
                {
                    socket.setSoTimeout(30_000);
                    final DataInputStream in = new DataInputStream(socket.getInputStream());
                    final byte[] message = new byte[in.read()];
                    in.readFully(message);
                    socket.getOutputStream().write(message);
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
