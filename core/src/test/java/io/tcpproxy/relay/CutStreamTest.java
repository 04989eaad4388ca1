package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When the proxy ends a connection itself, a direction whose source had not finished must not end with a FIN (which
 * a reader takes for a complete stream): the upstream here has read the whole request and is about to answer, so
 * the client must see a reset.
 */
class CutStreamTest
{
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @Test
    @Timeout(60)
    void shouldResetTheClientWhenTheIdleTimeoutCutsAResponseNotYetSent() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        try (TestUpstream upstream = TestUpstream.start((socket) -> answerLate(socket, release));
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).idleTimeoutSecs(1));
            Socket client = Clients.connect(proxy))
        {
            sendRequest(client);
            assertEquals(Clients.End.RESET, Clients.awaitEnd(client, WITHIN), "a cut response looked complete");
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 1);
            assertEquals(1, snapshot.closes(CloseReason.IDLE_TIMEOUT), ProxyAwait.describe(snapshot));
        }
        finally
        {
            release.countDown();
        }
    }

    @Test
    @Timeout(60)
    void shouldResetTheClientWhenTheGracePeriodCutsAResponseNotYetSent() throws Exception
    {
        final CountDownLatch release = new CountDownLatch(1);
        try (TestUpstream upstream = TestUpstream.start((socket) -> answerLate(socket, release));
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket client = Clients.connect(proxy))
        {
            sendRequest(client);
            ProxyAwait.metrics(proxy, "the request relayed", (s) -> s.bytesUpstream() == 7);
            proxy.shutdown(Duration.ofMillis(500));
            assertEquals(Clients.End.RESET, Clients.awaitEnd(client, WITHIN), "a cut response looked complete");
            assertEquals(1, proxy.metrics().closes(CloseReason.SHUTDOWN), ProxyAwait.describe(proxy.metrics()));
        }
        finally
        {
            release.countDown();
        }
    }

    private static void sendRequest(final Socket client) throws Exception
    {
        client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput(); // the request is complete; the response is what gets cut
    }

    /** Read the request to its end, then answer only once the test is over (after the proxy cut the stream). */
    private static void answerLate(final Socket socket, final CountDownLatch release) throws Exception
    {
        final InputStream in = socket.getInputStream();
        while (in.read() >= 0)
        {
            // the whole request
        }
        release.await(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        final OutputStream out = socket.getOutputStream();
        try
        {
            out.write(new byte[1024 * 1024]);
        }
        catch (final java.io.IOException expected)
        {
            // the proxy is gone
        }
    }
}
