package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.Config;
import io.tcpproxy.engine.admission.Descriptors;
import io.tcpproxy.engine.preamble.PreambleHandler;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.relay.FullBacklogTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.tcpproxy.engine.WorkerHarness.localAddress;
import static io.tcpproxy.engine.WorkerHarness.upstreamListener;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker driven by hand with a fake clock: every timer path (connect timeout, idle timeout, shutdown phases) runs
 * without waiting on the wall clock; sockets are real loopback sockets.
 */
class WorkerTest
{
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int IDLE_TIMEOUT_SECS = 60;

    @Test
    @Timeout(60)
    void shouldTimeOutAHangingConnectOnlyWhenTheClockPassesTheTimeout() throws Exception
    {
        try (FullBacklogTarget target = new FullBacklogTarget();
            WorkerHarness harness = new WorkerHarness(
                Config.builder().connectTimeoutMs(CONNECT_TIMEOUT_MS), address(target.address()));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.CONNECTING);

            harness.advance(Duration.ofMillis(CONNECT_TIMEOUT_MS - 100));
            harness.cycles(5);
            assertEquals(Connection.CONNECTING, connection.state, "closed before the connect timeout");

            harness.advance(Duration.ofMillis(200));
            harness.cycle();
            harness.cycle(); // NIO completes the close of a registered channel at the next select
            assertEquals(Connection.CLOSED, connection.state);
            assertEquals(CloseReason.CONNECT_TIMEOUT, connection.closeReason);
            assertEquals(CONNECT_TIMEOUT_MS + 100, connection.connectDurationNs / 1_000_000);
            assertEquals(-1, readBlocking(client), "a connect failure ends the client with a FIN");
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseAnIdleConnectionWithResetsOnlyAfterTheIdleTimeoutSinceItsLastActivity() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                Config.builder().idleTimeoutSecs(IDLE_TIMEOUT_SECS), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.OPEN);
            final SocketChannel upstream = upstreamListener.accept();

            harness.advance(Duration.ofSeconds(IDLE_TIMEOUT_SECS - 10));
            client.write(ascii("ping"));
            harness.cycleUntil("the request relayed", () -> connection.up.totalBytes == 4);
            assertEquals("ping", readAscii(upstream, 4));

            // 70 s after opening but 20 s after the last byte: re-armed, not closed
            harness.advance(Duration.ofSeconds(20));
            harness.cycles(3);
            assertEquals(Connection.OPEN, connection.state, "closed although active 20 s ago");

            harness.advance(Duration.ofSeconds(IDLE_TIMEOUT_SECS - 20 + 1));
            harness.cycle();
            harness.cycle(); // NIO completes the close of a registered channel at the next select
            assertEquals(Connection.CLOSED, connection.state);
            assertEquals(CloseReason.IDLE_TIMEOUT, connection.closeReason);
            assertThrows(SocketException.class, () -> readBlocking(client), "a cut stream must end with a reset");
            assertThrows(SocketException.class, () -> readBlocking(upstream), "a cut stream must end with a reset");
        }
    }

    @Test
    @Timeout(60)
    void shouldStopAcceptingThenCloseAllOnPhaseCommandsResettingOnlyUnfinishedDirections() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder(), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.OPEN);
            final SocketChannel upstream = upstreamListener.accept();
            client.write(ascii("request"));
            client.shutdownOutput(); // the client's direction is complete
            harness.cycleUntil("the request and its FIN relayed", () -> connection.up.sinkShut);
            assertEquals("request", readAscii(upstream, 7));
            assertEquals(-1, readBlocking(upstream));

            final WorkerCommand.ChangePhase stopAccepting = new WorkerCommand.ChangePhase(Worker.STOP_ACCEPTING);
            assertTrue(harness.worker.commands().submit(stopAccepting));
            assertFalse(stopAccepting.isDone(), "applied before the worker's duty cycle");
            harness.cycle();
            assertTrue(stopAccepting.isDone());
            assertThrows(ConnectException.class, harness::connectClient, "still accepting");
            assertEquals(Connection.OPEN, connection.state, "stopping accepting closed an open connection");

            final WorkerCommand.ChangePhase closeAll = new WorkerCommand.ChangePhase(Worker.CLOSE_ALL);
            assertTrue(harness.worker.commands().submit(closeAll));
            harness.cycle();
            harness.cycle(); // NIO completes the close of a registered channel at the next select
            assertTrue(closeAll.isDone());
            assertEquals(CloseReason.SHUTDOWN, connection.closeReason);
            assertEquals(0, harness.worker.table().size());
            // the response direction never finished: its reader gets a reset, not a FIN that would look complete
            assertThrows(SocketException.class, () -> readBlocking(client), "a cut response must end with a reset");
        }
    }

    @Test
    @Timeout(60)
    void shouldLeaveClientsInTheBacklogWhileTheDescriptorLimitHoldsNoMoreConnections() throws Exception
    {
        // 70 descriptors, none open, 64 + 4 kept back: room for exactly one connection of two descriptors
        final Descriptors oneConnection = Descriptors.fixed(70, 0);
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                Config.builder(), localAddress(upstreamListener), null, oneConnection))
        {
            final SocketChannel first = harness.connectClient();
            final Connection firstConnection = harness.awaitConnection(Connection.OPEN);
            final SocketChannel firstUpstream = upstreamListener.accept();
            try (SocketChannel waiting = harness.connectClient())
            {
                harness.cycles(20);
                harness.advance(Duration.ofSeconds(1)); // accept pauses come and go; the cap holds
                harness.cycles(20);
                assertEquals(1, harness.worker.table().size(), "accepted beyond what the descriptors hold");
                waiting.configureBlocking(false);
                assertEquals(0, waiting.read(ByteBuffer.allocate(1)), "the waiting client was closed, not left waiting");

                first.close();
                firstUpstream.close();
                harness.cycleUntil("the first connection closed", () -> firstConnection.state == Connection.CLOSED);
                harness.advance(Duration.ofMillis(200)); // the accept pause ends
                harness.cycleUntil("the waiting client accepted", () -> harness.worker.table().size() == 1 &&
                    harness.worker.table().last() != firstConnection);
                assertEquals(1, harness.worker.table().size());
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldWriteDeferredMessagesWithinTheDutyCycleThatReadThem() throws Exception
    {
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(Config.builder(), localAddress(upstreamListener));
            SocketChannel client = harness.connectClient())
        {
            final Connection connection = harness.awaitConnection(Connection.OPEN);
            final SocketChannel upstream = upstreamListener.accept();
            for (int i = 0; i < 20; i++)
            {
                final long before = connection.up.totalBytes;
                client.write(ascii("message" + i % 10));
                harness.cycleUntil("message " + i + " read", () -> connection.up.totalBytes == before + 8);
                // a short message is deferred to the end of the round, never held across duty cycles
                assertEquals(0, harness.worker.buffers().inUseBytes(), "a deferred write outlived its duty cycle");
                assertFalse(harness.worker.relay().hasDeferredWrites());
                assertEquals("message" + i % 10, readAscii(upstream, 8));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldPauseReadingWhenBuffersRunOutAndResumeWhenTheyComeBack() throws Exception
    {
        // 256 KiB buffers in a 1 MiB budget: 4 buffers, no large ones
        final int bufferBytes = 256 * 1024;
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                Config.builder().bufferSizeBytes(bufferBytes).bufferPoolMb(1), localAddress(upstreamListener)))
        {
            final int clients = 5;
            final SocketChannel[] clientChannels = new SocketChannel[clients];
            final SocketChannel[] upstreams = new SocketChannel[clients];
            final Connection[] connections = new Connection[clients];
            for (int i = 0; i < clients; i++)
            {
                clientChannels[i] = harness.connectClient();
                clientChannels[i].configureBlocking(false);
                final int index = i;
                harness.cycleUntil("connection " + i + " open",
                    () -> harness.worker.table().size() == index + 1 &&
                    harness.worker.table().last().state == Connection.OPEN);
                connections[i] = harness.worker.table().last();
                upstreams[i] = upstreamListener.accept(); // never read until the end
                upstreams[i].configureBlocking(false);
            }

            final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            harness.cycleUntil("every buffer held and a flow starved", () ->
            {
                for (final SocketChannel client : clientChannels)
                {
                    chunk.clear();
                    writeQuietly(client, chunk);
                }
                return harness.worker.buffers().ordinaryAvailable() == 0 && harness.worker.relay().hasStarvedFlows();
            });
            int starved = 0;
            for (final Connection connection : connections)
            {
                starved += connection.up.starved ? 1 : 0;
                assertEquals(Connection.OPEN, connection.state, "back-pressure closed a connection");
            }
            assertTrue(starved >= 1, "no flow starved");

            final ByteBuffer sink = ByteBuffer.allocate(1024 * 1024);
            harness.cycleUntil("starved flows resumed once upstreams read", () ->
            {
                for (final SocketChannel upstream : upstreams)
                {
                    sink.clear();
                    readQuietly(upstream, sink);
                }
                return !harness.worker.relay().hasStarvedFlows();
            });
            for (final Connection connection : connections)
            {
                assertFalse(connection.up.starved);
                assertEquals(Connection.OPEN, connection.state);
            }
            for (int i = 0; i < clients; i++)
            {
                clientChannels[i].close();
                upstreams[i].close();
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldRelayWhatAPreambleHandlerLeavesAfterItIsDone() throws Exception
    {
        final PreambleHandler.Factory lineThenRelay = (connection) -> new PreambleHandler()
        {
            public Outcome consume(final Connection connection, final ByteBuffer bytes, final long nowNs)
            {
                while (bytes.hasRemaining())
                {
                    final byte b = bytes.get();
                    if (b == '!')
                    {
                        return Outcome.CLOSE;
                    }
                    if (b == '\n')
                    {
                        return Outcome.DONE;
                    }
                }
                return Outcome.NEED_MORE;
            }

            public CloseReason closeReason()
            {
                return CloseReason.CLIENT_RESET;
            }
        };
        try (ServerSocketChannel upstreamListener = upstreamListener();
            WorkerHarness harness = new WorkerHarness(
                Config.builder().idleTimeoutSecs(IDLE_TIMEOUT_SECS), localAddress(upstreamListener), lineThenRelay))
        {
            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
                client.write(ascii("HEAD"));
                harness.cycles(3);
                assertEquals(Connection.PREAMBLE, connection.state, "connected before the preamble ended");
                client.write(ascii("ER\nbody"));
                harness.cycleUntil("the upstream connected", () -> connection.state == Connection.OPEN);
                final SocketChannel upstream = upstreamListener.accept();
                assertEquals("body", relayed(harness, upstream, 4));
                upstream.write(ascii("reply"));
                assertEquals("reply", relayed(harness, client, 5));
                upstream.close();
            }

            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
                client.write(ascii("bad!"));
                harness.cycleUntil("the handler's close", () -> connection.state == Connection.CLOSED);
                assertEquals(CloseReason.CLIENT_RESET, connection.closeReason);
                assertEquals(0, connection.connectStartNs, "a rejected preamble must not connect upstream");
            }

            try (SocketChannel client = harness.connectClient())
            {
                final Connection connection = harness.awaitConnection(Connection.PREAMBLE);
                harness.advance(Duration.ofSeconds(IDLE_TIMEOUT_SECS + 1));
                harness.cycle();
                harness.cycle(); // NIO completes the close of a registered channel at the next select
                assertEquals(CloseReason.IDLE_TIMEOUT, connection.closeReason, "a silent preamble is timed out");
                assertEquals(-1, readBlocking(client), "nothing was relayed yet: the client gets a FIN");
            }
        }
    }

    private static InetSocketAddress address(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String readAscii(final SocketChannel channel, final int length) throws IOException
    {
        channel.configureBlocking(true);
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
    }

    /** Run duty cycles until {@code length} bytes have arrived on the channel. */
    private static String relayed(final WorkerHarness harness, final SocketChannel channel, final int length)
        throws IOException
    {
        channel.configureBlocking(false);
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        harness.cycleUntil(length + " bytes relayed", () ->
        {
            readQuietly(channel, buffer);
            return !buffer.hasRemaining();
        });
        return new String(buffer.array(), StandardCharsets.US_ASCII);
    }

    /** @return the first read's result on a blocking channel: -1 for a FIN; a reset throws. */
    private static int readBlocking(final SocketChannel channel) throws IOException
    {
        channel.configureBlocking(true);
        return channel.read(ByteBuffer.allocate(1));
    }

    private static void writeQuietly(final SocketChannel channel, final ByteBuffer chunk)
    {
        try
        {
            channel.write(chunk);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void readQuietly(final SocketChannel channel, final ByteBuffer sink)
    {
        try
        {
            channel.read(sink);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
