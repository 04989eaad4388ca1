package io.tcpproxy;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @Test
    void shouldRelayBothWays() throws Exception
    {
        try (ServerSocket upstream = new ServerSocket(0))
        {
            final Thread echo = new Thread(() ->
            {
                try (Socket s = upstream.accept())
                {
                    final InputStream in = s.getInputStream();
                    final OutputStream out = s.getOutputStream();
                    final byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) > 0)
                    {
                        out.write(buf, 0, n);
                    }
                    s.shutdownOutput();
                }
                catch (final Exception ignore)
                {
                }
            });
            echo.start();
            final Config config = Config.builder().listenAddress("127.0.0.1:0")
                .targetAddress("127.0.0.1:" + upstream.getLocalPort()).metricsAddress("").workers(2).build();
            try (Proxy proxy = Proxy.start(config))
            {
                final byte[] data = new byte[3 * 1024 * 1024];
                new Random(1).nextBytes(data);
                try (Socket client = new Socket("127.0.0.1", proxy.localAddress().getPort()))
                {
                    final Thread writer = new Thread(() ->
                    {
                        try
                        {
                            client.getOutputStream().write(data);
                            client.shutdownOutput();
                        }
                        catch (final Exception ignore)
                        {
                        }
                    });
                    writer.start();
                    final byte[] got = client.getInputStream().readAllBytes();
                    writer.join();
                    assertEquals(data.length, got.length);
                    assertArrayEquals(data, got);
                }
                final long deadline = System.nanoTime() + 5_000_000_000L;
                while (proxy.metrics().bytesDownstream() < data.length && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertEquals(data.length, proxy.metrics().bytesUpstream());
                assertEquals(data.length, proxy.metrics().bytesDownstream());
                System.out.println(Arrays.toString(new long[] {proxy.metrics().totalConnections(),
                    proxy.metrics().closes(CloseReason.CLIENT_FIN)}));
            }
            echo.join();
        }
    }
}
