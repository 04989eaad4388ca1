package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Times recorded by a worker start when the event arrives, not when the worker last went to sleep in select.
 */
class TimingTest
{
    /** Histogram sums are rounded; a clock read a few ms late is not the defect this test looks for. */
    private static final double CLOCK_SLACK_SECS = 0.05;

    private static double seconds(final long ns)
    {
        return ns / 1e9;
    }

    @Test
    @Timeout(30)
    void shouldMeasureConnectTimeAndLifetimeFromTheAcceptAfterAnIdlePeriod() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(1)))
        {
            // Let the worker block in select with nothing to do (its idle timeout is a second), so that a clock
            // read before the select would be far in the past when the connection arrives.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1500));

            // What the proxy records lies inside what the client saw: the upstream connect between the client's
            // connect and its echo, the lifetime between the client's connect and the close being counted. A clock
            // read before the select would add up to the worker's idle second on top, however slow the machine.
            final long connectStartNs = System.nanoTime();
            final long echoedNs;
            try (Socket client = Clients.connect(proxy))
            {
                Clients.assertEchoes(client, "timed");
                echoedNs = System.nanoTime();
            }
            final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, 1);
            final long closeCountedNs = System.nanoTime();

            assertEquals(1, snapshot.upstreamConnectTime().count());
            final double connectSecs = snapshot.upstreamConnectTime().sumSecs();
            final double clientSawConnectSecs = seconds(echoedNs - connectStartNs);
            assertTrue(connectSecs <= clientSawConnectSecs + CLOCK_SLACK_SECS,
                "upstream connect recorded as " + connectSecs + " s, but the client had its echo " +
                clientSawConnectSecs + " s after it began to connect");
            final double lifetimeSecs = snapshot.connectionDuration().sumSecs();
            final double clientSawLifetimeSecs = seconds(closeCountedNs - connectStartNs);
            assertTrue(lifetimeSecs <= clientSawLifetimeSecs + CLOCK_SLACK_SECS,
                "connection lifetime recorded as " + lifetimeSecs + " s, but the close was counted " +
                clientSawLifetimeSecs + " s after the client began to connect");
        }
    }
}
