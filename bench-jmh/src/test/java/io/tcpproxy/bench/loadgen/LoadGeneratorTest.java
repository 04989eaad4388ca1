package io.tcpproxy.bench.loadgen;

import io.tcpproxy.testsupport.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LoadGeneratorTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LoadGenerator generator = new LoadGenerator();

    private static LoadSpec closedLoop(final int connections, final int messageBytes, final int threads)
    {
        return new LoadSpec(connections, messageBytes, 100 * MS, 500 * MS, 0, threads, 2_000 * MS);
    }

    @Test
    void shouldRecordOneLatencySamplePerRequestWithNoErrors() throws Exception
    {
        try (EchoServer server = EchoServer.echo())
        {
            final LoadResult result = generator.run(server.address(), closedLoop(4, 256, 1), ProgressListener.NONE);

            assertEquals(0, result.errors(), "errors");
            assertEquals(4, result.connectionsOpened());
            assertTrue(result.requests() > 10, "requests: " + result.requests());
            assertEquals(result.requests(), result.responses(), "every request in the window has its sample");
            assertEquals(result.responses(), result.latencyNs().getTotalCount());
            assertTrue(result.requestsPerSec() > 0);
            assertTrue(result.completedInWindow() <= result.requests());
            assertEquals(result.requestsPerSec() * 256 / 1e6, result.throughputMbPerSec(), 1e-9);
            assertTrue(result.latencyAtPercentileNs(50) > 0);
            assertTrue(result.latencyAtPercentileNs(50) <= result.latencyAtPercentileNs(99));
            assertTrue(result.latencyAtPercentileNs(99.9) <= result.maxLatencyNs());
            assertTrue(server.echoedBytes() >= result.responses() * 256, "server echoed every checked byte");
        }
    }

    @Test
    void shouldHandlePartialWritesOfLargeMessagesOnSeveralThreads() throws Exception
    {
        try (EchoServer server = EchoServer.echo())
        {
            final LoadResult result =
                generator.run(server.address(), closedLoop(3, 256 * 1024 + 3, 2), ProgressListener.NONE);

            assertEquals(0, result.errors(), "errors");
            assertEquals(3, result.connectionsOpened());
            assertTrue(result.responses() > 0);
            assertEquals(result.requests(), result.responses());
        }
    }

    @Test
    void shouldCountACorruptedEchoAsMismatchAndCloseTheConnection() throws Exception
    {
        try (EchoServer server = EchoServer.corruptingEvery(5, 128))
        {
            final LoadResult result = generator.run(server.address(), closedLoop(4, 128, 1), ProgressListener.NONE);

            assertTrue(server.corruptedBytes() >= 4, "the server corrupted a byte on each connection");
            assertEquals(4, result.mismatches(), "each connection fails at its first corrupted message");
            assertEquals(0, result.resets());
            assertEquals(0, result.timeouts());
            assertEquals(4, result.errors());
        }
    }

    @Test
    void shouldCountConnectionsClosedByThePeerAsErrors() throws Exception
    {
        try (EchoServer server = EchoServer.closingAfter(3 * 100))
        {
            final LoadResult result = generator.run(server.address(), closedLoop(3, 100, 1), ProgressListener.NONE);

            assertEquals(3, result.connectionsOpened());
            assertEquals(3, result.resets(), "each connection closed by the server");
            assertEquals(0, result.mismatches());
            assertEquals(3, result.errors());
        }
    }

    @Test
    void shouldCountRefusedConnectionsAsConnectErrors() throws Exception
    {
        final InetSocketAddress closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            closedPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        final LoadResult result = generator.run(closedPort, closedLoop(2, 64, 1), ProgressListener.NONE);

        assertEquals(0, result.connectionsOpened());
        assertEquals(2, result.connectErrors());
        assertEquals(0, result.responses());
        assertEquals(0, result.requestsPerSec());
    }

    @Test
    void shouldCountAStallFromTheIntendedSendTimeInOpenLoop() throws Exception
    {
        final int messageBytes = 128;
        final double ratePerSec = 200;
        // stall 300 ms into the 1 s measured window
        try (EchoServer server = EchoServer.stallingOnceAfter(60L * messageBytes, 200))
        {
            final LoadSpec spec = new LoadSpec(2, messageBytes, 0, 1_000 * MS, ratePerSec, 1, 2_000 * MS);
            final LoadResult result = generator.run(server.address(), spec, ProgressListener.NONE);

            assertEquals(0, result.errors(), "errors");
            assertEquals(result.requests(), result.responses());
            assertEquals(200, result.requests(), 4, "the schedule sends rate x duration requests");
            assertTrue(result.maxLatencyNs() >= 190 * MS, "max latency " + result.maxLatencyNs() / MS + " ms");
            // a closed loop would see one slow request per connection; counting from the intended time, every
            // request scheduled during the stall is late
            final long lateSamples = result.latencyNs().getCountBetweenValues(100 * MS, result.maxLatencyNs());
            assertTrue(lateSamples >= 10, "requests slower than 100 ms: " + lateSamples);
        }
    }

    @Test
    void shouldReportProgressThroughThePhases() throws Exception
    {
        final List<ProgressListener.Phase> phases = new ArrayList<>();
        try (EchoServer server = EchoServer.echo())
        {
            generator.run(server.address(), closedLoop(1, 64, 1), (phase, secondsLeft) ->
            {
                if (phases.isEmpty() || phases.get(phases.size() - 1) != phase)
                {
                    phases.add(phase);
                }
            });
        }

        assertEquals(ProgressListener.Phase.CONNECTING, phases.get(0));
        assertTrue(phases.contains(ProgressListener.Phase.MEASURING), phases.toString());
    }

    @Test
    void shouldRejectImpossibleSpecs()
    {
        final IllegalArgumentException error = assertThrows(
            IllegalArgumentException.class, () -> new LoadSpec(0, 64, 0, MS, 0, 1, MS));
        assertTrue(error.getMessage().contains("connections"), error.getMessage());
    }
}
