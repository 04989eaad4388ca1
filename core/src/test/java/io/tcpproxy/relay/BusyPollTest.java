package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code busy_poll_us}: a worker keeps polling for a while after events (burning CPU) and then blocks again, so an
 * idle proxy costs nothing; bytes are relayed the same either way.
 */
class BusyPollTest
{
    private static final int BUSY_POLL_US = 1_000_000;
    private static final int ROUND_TRIPS = 2_000;
    private static final long QUIET_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * A worker blocked in select uses a few µs of CPU a second (one timer wake-up); a polling one uses all the CPU the
     * scheduler gives it, which on a machine with 40 runnable threads per core is still several ms a second. The
     * bounds sit between the two, so they hold however loaded the machine is.
     */
    private static final long QUIET_CPU_NS = TimeUnit.MICROSECONDS.toNanos(500);
    private static final long MIN_POLLING_CPU_NS = TimeUnit.MILLISECONDS.toNanos(2);

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Test
    @Timeout(120)
    void shouldRelayWhilePollingAndBlockAgainOnceTrafficStops() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(1).busyPollUs(BUSY_POLL_US));
            Socket socket = Clients.connect(proxy))
        {
            for (int i = 0; i < ROUND_TRIPS; i++)
            {
                Clients.assertEchoes(socket, "round trip " + i);
            }
            final long workerId = workerThreadId();
            final long cpuAfterTrafficNs = threads.getThreadCpuTime(workerId);

            final long[] window = { System.nanoTime(), cpuAfterTrafficNs };
            final long[] lastWindowCpuNs = { -1 };
            Await.until("the worker to block in select again (under " + QUIET_CPU_NS / 1000 + " µs of CPU over " +
                TimeUnit.NANOSECONDS.toMillis(QUIET_WINDOW_NS) + " ms)", () ->
            {
                final long nowNs = System.nanoTime();
                if (nowNs - window[0] < QUIET_WINDOW_NS)
                {
                    return false;
                }
                final long cpuNs = threads.getThreadCpuTime(workerId);
                lastWindowCpuNs[0] = cpuNs - window[1];
                final boolean quiet = lastWindowCpuNs[0] < QUIET_CPU_NS;
                window[0] = nowNs;
                window[1] = cpuNs;
                return quiet;
            }, Duration.ofSeconds(60), () -> "; last window used " + lastWindowCpuNs[0] / 1000 + " µs of CPU");

            final long pollingCpuNs = threads.getThreadCpuTime(workerId) - cpuAfterTrafficNs;
            assertTrue(pollingCpuNs >= MIN_POLLING_CPU_NS,
                "the worker polled after the traffic stopped: " + pollingCpuNs / 1000 + " µs of CPU");

            Clients.assertEchoes(socket, "after the worker went back to sleep");
        }
    }

    private long workerThreadId()
    {
        Thread worker = null;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals("tcp-proxy-worker-0"))
            {
                worker = thread;
            }
        }
        assertNotNull(worker, "the worker thread");
        return worker.getId();
    }
}
