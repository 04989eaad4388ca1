package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Await;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing outlives the proxy: after close(), the process holds the file descriptors and threads it held before.
 */
class LeakTest
{
    private static final int SHORT_CONNECTIONS = 2000;
    private static final int PARALLEL_CLIENTS = 4;
    private static final int MESSAGE_BYTES = 100;
    private static final int HELD_CONNECTIONS = 100;
    private static final long DIRECT_MEMORY_SLACK_BYTES = 512 * 1024;

    @BeforeAll
    static void warmUp() throws Exception
    {
        // Load every class (and open every jar) a proxy run needs, so the baselines below only move with the proxy.
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream));
            Socket client = Clients.connect(proxy))
        {
            Clients.assertEchoes(client, "warm up");
            client.shutdownOutput();
            Clients.awaitEnd(client, Duration.ofSeconds(2));
            ProxyAwait.closed(proxy, 1);
        }
        final ExecutorService warm = Executors.newSingleThreadExecutor();
        warm.submit(() -> 1).get();
        warm.shutdown();
        assertTrue(warm.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(60)
    void shouldReleaseEveryFdAndThreadAfterManyShortConnectionsAndClose() throws Exception
    {
        final int fdsBefore = ProcessResources.openFds();
        final List<String> fdTargetsBefore = ProcessResources.fdTargets();
        final long directBytesBefore = ProcessResources.directMemoryUsed();
        final Set<Thread> threadsBefore = ProcessResources.proxyThreads();

        final ExecutorService clients = Executors.newFixedThreadPool(PARALLEL_CLIENTS);
        try (TestUpstream upstream = TestUpstream.echo())
        {
            final Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(2));
            final long directBytesOpen;
            try
            {
                final List<Future<Integer>> results = new ArrayList<>();
                for (int c = 0; c < PARALLEL_CLIENTS; c++)
                {
                    final int clientIndex = c;
                    results.add(clients.submit(() -> runShortConnections(proxy, clientIndex)));
                }
                for (final Future<Integer> result : results)
                {
                    assertEquals(SHORT_CONNECTIONS / PARALLEL_CLIENTS, result.get(45, TimeUnit.SECONDS));
                }

                final MetricsSnapshot snapshot = ProxyAwait.closed(proxy, SHORT_CONNECTIONS);
                assertEquals(SHORT_CONNECTIONS, snapshot.totalConnections());
                assertEquals(SHORT_CONNECTIONS, snapshot.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(snapshot));
                assertEquals((long)SHORT_CONNECTIONS * MESSAGE_BYTES, snapshot.bytesUpstream());
                assertEquals((long)SHORT_CONNECTIONS * MESSAGE_BYTES, snapshot.bytesDownstream());
                directBytesOpen = ProcessResources.directMemoryUsed();
            }
            finally
            {
                proxy.close();
            }
            assertTrue(directBytesOpen - ProcessResources.directMemoryUsed() >= 2L * 1024 * 1024,
                "close() freed each worker's first 1 MiB pool chunk");
            final long directBytesLeft = ProcessResources.directMemoryUsed() - directBytesBefore;
            assertTrue(directBytesLeft < DIRECT_MEMORY_SLACK_BYTES,
                "relay buffers are freed by close(), not left to the GC: " + directBytesLeft + " bytes still held");
            assertEquals(List.of(), upstream.errors());
        }
        finally
        {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }

        awaitNoNewProxyThreads(threadsBefore);
        awaitFdsBackTo(fdsBefore, fdTargetsBefore);
    }

    @Test
    @Timeout(60)
    void shouldReturnFromCloseOnAnotherThreadWithHundredConnectionsOpenAndLeakNothing() throws Exception
    {
        final int fdsBefore = ProcessResources.openFds();
        final List<String> fdTargetsBefore = ProcessResources.fdTargets();
        final Set<Thread> threadsBefore = ProcessResources.proxyThreads();

        final ExecutorService closer = Executors.newSingleThreadExecutor();
        final List<Socket> held = new ArrayList<>();
        try (TestUpstream upstream = TestUpstream.echo())
        {
            final Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(2));
            try
            {
                for (int i = 0; i < HELD_CONNECTIONS; i++)
                {
                    final Socket client = Clients.connect(proxy);
                    held.add(client);
                    Clients.assertEchoes(client, "open " + i);
                }
                assertEquals(HELD_CONNECTIONS, proxy.activeConnections());

                final long startNs = System.nanoTime();
                closer.submit(proxy::close).get(10, TimeUnit.SECONDS);
                final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertTrue(closeMs < 5000, "close() took " + closeMs + " ms");
                assertEquals(0, proxy.activeConnections());
                final MetricsSnapshot snapshot = proxy.metrics();
                assertEquals(HELD_CONNECTIONS, snapshot.closes(CloseReason.SHUTDOWN), ProxyAwait.describe(snapshot));
                assertEquals(0, snapshot.activeConnections());

                for (final Socket client : held)
                {
                    assertNotEquals(Clients.End.STILL_OPEN, Clients.awaitEnd(client, Duration.ofSeconds(2)));
                }
            }
            finally
            {
                proxy.close();
                for (final Socket client : held)
                {
                    client.close();
                }
            }
        }
        finally
        {
            closer.shutdownNow();
            assertTrue(closer.awaitTermination(10, TimeUnit.SECONDS));
        }

        awaitNoNewProxyThreads(threadsBefore);
        awaitFdsBackTo(fdsBefore, fdTargetsBefore);
    }

    private static int runShortConnections(final Proxy proxy, final int clientIndex) throws Exception
    {
        final Random random = new Random(clientIndex);
        final byte[] message = new byte[MESSAGE_BYTES];
        int done = 0;
        for (int i = 0; i < SHORT_CONNECTIONS / PARALLEL_CLIENTS; i++)
        {
            random.nextBytes(message);
            try (Socket client = Clients.connect(proxy))
            {
                final OutputStream out = client.getOutputStream();
                final InputStream in = client.getInputStream();
                out.write(message);
                assertArrayEquals(message, in.readNBytes(MESSAGE_BYTES));
            }
            done++;
        }
        return done;
    }

    private static void awaitNoNewProxyThreads(final Set<Thread> before)
    {
        Await.until("every proxy thread to end", () -> ProcessResources.newProxyThreads(before).isEmpty(),
            Duration.ofSeconds(2), () -> ProcessResources.newProxyThreads(before).toString());
    }

    private static void awaitFdsBackTo(final int fdsBefore, final List<String> fdTargetsBefore)
    {
        Await.until("open fds back to " + fdsBefore, () -> ProcessResources.openFds() <= fdsBefore,
            Duration.ofSeconds(5), () ->
            {
                final List<String> now = ProcessResources.fdTargets();
                now.removeAll(fdTargetsBefore);
                return "now " + ProcessResources.openFds() + ", new: " + Arrays.toString(now.toArray());
            });
    }
}
