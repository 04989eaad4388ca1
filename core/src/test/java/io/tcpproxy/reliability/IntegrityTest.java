package io.tcpproxy.reliability;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.relay.ProxyAwait;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every byte through the proxy checked, for random sizes (1 B .. 1 MiB) and for churn (many short connections),
 * with the totals in the metrics exact to the byte and the connection and the sockets back to the baseline.
 */
class IntegrityTest
{
    private static final int MAX_SIZE = 1024 * 1024;

    @Test
    void randomSizesAndChurnEveryByteAndEveryCountExact() throws Exception
    {
        final int sized = Battery.LONG ? 400 : 40;
        final int churned = Battery.LONG ? 20_000 : 300;
        final int parallel = Battery.LONG ? 16 : 4;
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = Battery.start(Battery.config(upstream.port())))
        {
            final long socketsBefore = Battery.openSockets();
            final ExecutorService pool = Executors.newFixedThreadPool(parallel);
            final ExecutorService writers = Executors.newFixedThreadPool(parallel);
            long expectedBytes = 0;
            try
            {
                final List<Future<Integer>> results = new ArrayList<>();
                final SplittableRandom sizes = new SplittableRandom(11);
                for (int i = 0; i < sized + churned; i++)
                {
                    final int size = i < sized ? 1 + sizes.nextInt(MAX_SIZE) : 1 + sizes.nextInt(4096);
                    final long seed = i;
                    expectedBytes += size;
                    results.add(pool.submit(() -> roundTrip(proxy, writers, size, seed)));
                }
                for (final Future<Integer> result : results)
                {
                    result.get(5, TimeUnit.MINUTES);
                }
            }
            finally
            {
                pool.shutdownNow();
                writers.shutdownNow();
            }

            final int connections = sized + churned;
            final MetricsSnapshot s = Battery.settled(proxy, connections);
            assertEquals(connections, s.totalConnections(), ProxyAwait.describe(s));
            assertEquals(connections, s.closes(CloseReason.CLIENT_FIN), ProxyAwait.describe(s));
            assertEquals(expectedBytes, s.bytesUpstream(), ProxyAwait.describe(s));
            assertEquals(expectedBytes, s.bytesDownstream(), ProxyAwait.describe(s));
            assertEquals(0, s.internalErrors(), ProxyAwait.describe(s));
            assertEquals(0, s.bufferBytesInUse(), ProxyAwait.describe(s));
            Battery.awaitSocketsBackTo(socketsBefore);
            assertEquals(List.of(), upstream.errors());
        }
    }

    /** Send {@code size} random bytes (from another thread), read the echo, check every byte, expect a FIN. */
    private static int roundTrip(final Proxy proxy, final ExecutorService pool, final int size, final long seed)
        throws Exception
    {
        final byte[] sent = new byte[size];
        new SplittableRandom(seed).nextBytes(sent);
        try (Socket socket = Battery.connect(proxy))
        {
            final Future<?> writer = pool.submit(() ->
            {
                final OutputStream out = socket.getOutputStream();
                for (int offset = 0; offset < size; offset += 16 * 1024)
                {
                    out.write(sent, offset, Math.min(16 * 1024, size - offset));
                }
                socket.shutdownOutput();
                return null;
            });
            final Battery.Received received = Battery.readToEnd(socket);
            writer.get(1, TimeUnit.MINUTES);
            assertEquals(Battery.Ending.FIN, received.ending, "a complete echo ends with a FIN");
            assertEquals(size, received.bytes.length);
            if (!Arrays.equals(sent, received.bytes))
            {
                assertArrayEquals(sent, received.bytes, "echo of connection " + seed + " differs");
            }
        }
        return size;
    }
}
