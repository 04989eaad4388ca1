package io.tcpproxy.cli.reliability;

import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A listen address someone else holds is refused at start, whoever holds it (issue 11, failure 1). */
class PortTakenIT
{
    @Test
    void secondInstanceOnTheSamePortRefusesToStartAndTheFirstKeepsServing() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            ProxyChild first = ProxyChild.start("run", "--listen", "127.0.0.1:0", "--target", upstream.address(),
                "--metrics", ""))
        {
            try (ProxyChild second = ProxyChild.launch(List.of(), "run", "--listen",
                "127.0.0.1:" + first.port(), "--target", upstream.address(), "--metrics", ""))
            {
                final int status = second.awaitExit();
                assertNotEquals(0, status, second.describe());
                assertTrue(String.join("\n", second.stderrLines()).toLowerCase(Locale.ROOT)
                    .contains("in use"), second.describe());
            }
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), first.port()))
            {
                client.getOutputStream().write("ok".getBytes());
                assertArrayEquals("ok".getBytes(), client.getInputStream().readNBytes(2));
            }
        }
    }

    @Test
    void portHeldByAPlainListenerIsRefused() throws Exception
    {
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ProxyChild proxy = ProxyChild.launch(List.of(), "run", "--listen",
                "127.0.0.1:" + other.getLocalPort(), "--target", "127.0.0.1:9", "--metrics", ""))
        {
            final int status = proxy.awaitExit();
            assertNotEquals(0, status, proxy.describe());
            assertTrue(String.join("\n", proxy.stderrLines()).toLowerCase(Locale.ROOT).contains("in use"),
                proxy.describe());
        }
    }
}
