package io.tcpproxy.relay;

import io.tcpproxy.Proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The peers of the PROXY-protocol tests: a client bound to {@link #CLIENT_IP} (so it can be told from the proxies on
 * 127.0.0.1) that sends its bytes to a {@link Recorder} and expects its "ok", and a proxy that accepts headers.
 */
final class ProxyProtocolPeers
{
    static final String CLIENT_IP = "127.0.0.2";

    private ProxyProtocolPeers()
    {
    }

    /**
     * @param upstreamAddress host:port of the upstream.
     * @param trusted the one range {@code proxy_protocol_trusted} lists.
     * @return a proxy with {@code accept_proxy_protocol} on.
     * @throws IOException if it cannot bind.
     */
    static Proxy startAccepting(final String upstreamAddress, final String trusted) throws IOException
    {
        return TestProxies.start(TestProxies.configFor(upstreamAddress)
            .acceptProxyProtocol(true).proxyProtocolTrusted(List.of(trusted)));
    }

    /** @return a socket from {@link #CLIENT_IP} connected to {@code address}. */
    static Socket clientSocket(final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.bind(new InetSocketAddress(CLIENT_IP, 0));
            socket.setSoTimeout(30_000);
            socket.connect(address, 30_000);
            return socket;
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
    }

    /**
     * Send the bytes in one write, half-close, and expect the recorder's "ok".
     *
     * @return the client's port.
     */
    static int exchange(final InetSocketAddress address, final byte[] bytes) throws IOException
    {
        try (Socket client = clientSocket(address))
        {
            client.getOutputStream().write(bytes);
            client.shutdownOutput();
            assertEquals("ok", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            return client.getLocalPort();
        }
    }

    /** {@link #exchange(InetSocketAddress, byte[])} with a port on 127.0.0.1. */
    static int exchange(final int port, final byte[] bytes) throws IOException
    {
        return exchange(new InetSocketAddress("127.0.0.1", port), bytes);
    }
}
