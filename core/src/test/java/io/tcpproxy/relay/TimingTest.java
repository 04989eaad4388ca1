package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
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

            try (Socket client = Clients.connect(proxy))
            {
                Clients.assertEchoes(client, "timed");
            }
            final MetricsSnapshot snapshot = Await.closed(proxy, 1);

            assertEquals(1, snapshot.upstreamConnectTime().count());
            assertTrue(snapshot.upstreamConnectTime().sumSecs() < 0.25,
                "upstream connect took " + snapshot.upstreamConnectTime().sumSecs() + " s on loopback");
            assertTrue(snapshot.connectionDuration().sumSecs() < 0.5,
                "a connection that lived a few ms was recorded as " + snapshot.connectionDuration().sumSecs() + " s");
        }
    }
}
