package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Choosing a server allocates nothing: the selecting thread's allocated bytes do not grow with the number of
 * selections once warmed up, for every algorithm, with backups, limits and a retry in the mix.
 */
class SelectAllocationTest
{
    private static final int WINDOWS = 5;
    private static final int SELECTS_PER_WINDOW = 20_000;

    @Test
    void shouldSelectWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        for (final Balance balance : Balance.values())
        {
            final List<ServerSpec> specs = new ArrayList<>(Pools.servers(1, 2, 3, 1, 5, 1, 1, 1));
            specs.add(new ServerSpec("127.0.0.1:20100", 1, true, 0));
            specs.add(new ServerSpec("127.0.0.1:20101", 1, false, 1_000_000));
            final UpstreamPool pool = UpstreamPool.create(new PoolSpec("default", specs, balance, 2, null,
                new PassiveHealthSpec(0, 30), 30), Resolver.SYSTEM, System::nanoTime, UpstreamListener.NONE);
            final ConnectAttempt attempt = pool.newAttempt();

            run(pool, attempt, 200_000);
            final long[] windowBytes = new long[WINDOWS];
            long bestNsPerSelect = Long.MAX_VALUE;
            for (int w = 0; w < WINDOWS; w++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                final long startNs = System.nanoTime();
                run(pool, attempt, SELECTS_PER_WINDOW);
                bestNsPerSelect = Math.min(bestNsPerSelect, (System.nanoTime() - startNs) / (2L * SELECTS_PER_WINDOW));
                windowBytes[w] = threads.getThreadAllocatedBytes(threadId) - before;
            }
            final String figures = balance.label() + ": " + Arrays.toString(windowBytes) + " bytes in windows of " +
                SELECTS_PER_WINDOW + " clients (2 selects each); best " + bestNsPerSelect + " ns per select";
            System.out.println(figures);
            int clean = 0;
            for (final long bytes : windowBytes)
            {
                // one allocation per select would be at least 16 bytes x 40,000
                assertTrue(bytes < 16L * SELECTS_PER_WINDOW / 4, "select allocated: " + figures);
                clean += bytes < 1_000 ? 1 : 0;
            }
            assertTrue(clean >= WINDOWS - 2, "select allocated in most windows: " + figures);
        }
    }

    private static void run(final UpstreamPool pool, final ConnectAttempt attempt, final int clients)
    {
        for (int i = 0; i < clients; i++)
        {
            final UpstreamServer first = pool.select(attempt.reset(i * 7919));
            assertNotNull(first);
            pool.onConnectFailure(first, ConnectFailure.CONNECT_TIMEOUT); // passive health off: the ejection path may allocate
            final UpstreamServer second = pool.select(attempt);
            pool.onConnectSuccess(second);
            second.addBytesSent(100);
            second.addBytesReceived(200);
            pool.onConnectionClosed(second);
        }
    }
}
