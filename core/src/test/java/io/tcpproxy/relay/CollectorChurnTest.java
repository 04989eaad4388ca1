package io.tcpproxy.relay;

import io.tcpproxy.testsupport.TestUpstream;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The collector parks up to a snapshot interval and is woken by a worker whose ring passes half full: connection
 * churn through a tiny ring (a wake every few connections, full now and then) still ends with exact totals.
 */
class CollectorChurnTest
{
    @Test
    @Timeout(90)
    void shouldCountEveryShortConnectionExactlyThroughATinyRing() throws Exception
    {
        final int connections = 400; // ~1,200 ring records through a ring of ~20
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream)
                .workers(1)
                .channelBufferSize(16)
                .logEvents(LogEvents.OFF)))
        {
            for (int i = 0; i < connections; i++)
            {
                try (Socket client = Clients.connect(proxy))
                {
                    Clients.assertEchoes(client, "churn " + i);
                }
            }

            final MetricsSnapshot s = ProxyAwait.metrics(proxy, connections + " closed connections and none active",
                (m) -> m.activeConnections() == 0 && ProxyAwait.totalCloses(m) == connections, Duration.ofSeconds(30));
            assertEquals(connections, s.totalConnections(), ProxyAwait.describe(s));
            assertEquals(connections, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(0, s.activeConnections(), ProxyAwait.describe(s));
            long echoedBytes = 0;
            for (int i = 0; i < connections; i++)
            {
                echoedBytes += ("churn " + i).length();
            }
            assertEquals(echoedBytes, s.bytesUpstream(), ProxyAwait.describe(s));
            assertEquals(echoedBytes, s.bytesDownstream(), ProxyAwait.describe(s));
        }
    }
}
