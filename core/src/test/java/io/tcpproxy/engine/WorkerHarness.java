package io.tcpproxy.engine;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.engine.admission.Descriptors;
import io.tcpproxy.engine.preamble.PreambleHandler;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.relay.ConnectionTable;
import io.tcpproxy.metrics.MetricsRing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One worker driven by hand on the test thread: its own loopback listener, a fake clock that moves only when the
 * test says so, and {@code doWork()} called in a loop. Sockets are real, so I/O is awaited (with a generous
 * deadline); timers fire only when the test advances the clock.
 */
final class WorkerHarness implements AutoCloseable
{
    static final long START_NS = TimeUnit.SECONDS.toNanos(1000);
    private static final Duration IO_DEADLINE = Duration.ofSeconds(30);

    private final long[] nowNs = { START_NS };
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final MetricsRing ring;
    private final InetSocketAddress listenAddress;
    final EngineContext context;
    final Worker worker;

    WorkerHarness(final ConfigBuilder config, final InetSocketAddress target) throws IOException
    {
        this(config, target, null);
    }

    WorkerHarness(final ConfigBuilder builder, final InetSocketAddress target,
        final PreambleHandler.Factory preambles) throws IOException
    {
        this(builder, target, preambles, Descriptors.fixed(1 << 20, 0));
    }

    WorkerHarness(final ConfigBuilder builder, final InetSocketAddress target,
        final PreambleHandler.Factory preambles, final Descriptors descriptors) throws IOException
    {
        final Config config = builder.listenAddress("127.0.0.1:0").metricsAddress("").workers(1)
            .logEvents(LogEvents.OFF).metricsLogIntervalSecs(0).build();
        final EngineLog log = new EngineLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
        this.context = new EngineContext(config, target, descriptors, log, preambles);
        this.ring = new MetricsRing(0, config.channelBufferSize());
        final ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
        listener.configureBlocking(false);
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        this.listenAddress = (InetSocketAddress)listener.getLocalAddress();
        this.worker = new Worker(0, context, listener, true, ring, false, () -> nowNs[0]);
    }

    /** @return a blocking loopback listener on an ephemeral port, standing in for an upstream server. */
    static ServerSocketChannel upstreamListener() throws IOException
    {
        return ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    }

    /** @return the address {@code listener} is bound to. */
    static InetSocketAddress localAddress(final ServerSocketChannel listener) throws IOException
    {
        return (InetSocketAddress)listener.getLocalAddress();
    }

    InetSocketAddress listenAddress()
    {
        return listenAddress;
    }

    /** Move the fake clock on; nothing happens until the next duty cycle. */
    void advance(final Duration duration)
    {
        nowNs[0] += duration.toNanos();
    }

    /** One duty cycle. */
    int cycle()
    {
        try
        {
            return worker.doWork();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Run duty cycles (the fake clock standing still) until the condition holds: waits for socket I/O only. */
    void cycleUntil(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + IO_DEADLINE.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            if (cycle() == 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
    }

    /** Run a few duty cycles with the clock standing still (lets I/O in flight settle). */
    void cycles(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            cycle();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** @return a client connected to the worker's listener, blocking. */
    SocketChannel connectClient() throws IOException
    {
        return SocketChannel.open(listenAddress);
    }

    /** @return the only open connection, once the worker has accepted it. */
    Connection awaitConnection(final int state)
    {
        final ConnectionTable table = worker.table();
        cycleUntil("a connection in state " + state, () -> table.size() == 1 && table.last().state == state);
        return table.last();
    }

    /**
     * Await the client's connection reading its preamble, send {@code bytes}, then run until the connection reaches
     * {@code state} ({@link Connection#OPEN} once connected upstream, or {@link Connection#CLOSED}).
     */
    Connection sendPreamble(final SocketChannel client, final ByteBuffer bytes, final int state) throws IOException
    {
        final Connection connection = awaitConnection(Connection.PREAMBLE);
        client.write(bytes);
        cycleUntil("the connection in state " + state + " after its preamble", () -> connection.state == state);
        return connection;
    }

    /** Run duty cycles until {@code client} sees its connection end (a reset or a FIN). */
    void awaitClientClosed(final SocketChannel client) throws IOException
    {
        client.configureBlocking(false);
        final ByteBuffer sink = ByteBuffer.allocate(1);
        cycleUntil("the client's connection to end", () ->
        {
            try
            {
                return client.read(sink) < 0;
            }
            catch (final IOException ex)
            {
                return true; // reset
            }
        });
    }

    String log()
    {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    public void close()
    {
        worker.onClose();
        ring.free();
    }
}
