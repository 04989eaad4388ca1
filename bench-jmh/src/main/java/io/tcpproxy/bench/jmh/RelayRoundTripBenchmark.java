package io.tcpproxy.bench.jmh;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.echo.EchoServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request/response round trip over loopback: a blocking client writes {@code messageBytes} and reads them back
 * from an echo server, either through an in-process proxy with one worker ({@code proxy}) or straight to the echo
 * server ({@code direct}); the difference is what the proxy adds. Sampled, so percentiles come out.
 * <p>
 * JMH's {@code -prof gc} counts every thread of the JVM, so the client and the echo server (the one of
 * {@code tcp-proxy echo}, on one selector thread) are allocation-free (direct buffers, plain channel calls) and each iteration also prints what each group of threads allocated per
 * round trip: the proxy's worker (the relay path, which should be 0), its metrics collector (a snapshot every
 * 100 ms while traffic flows, off the relay path), other proxy threads, the echo server and the client (the JMH
 * benchmark thread, which also builds JMH's per-iteration sample statistics, about 45 KB an iteration in
 * {@code SampleTime} mode).
 * <p>
 * Two JMH effects to know when reading {@code gc.alloc.rate.norm}: in {@code SampleTime} mode JMH itself allocates
 * a few hundred KB per iteration for the samples (several B/op at these rates; run with {@code -bm avgt} for a
 * clean JVM-wide figure), and the trial tear-down (closing the proxy) runs inside the last measurement iteration,
 * so that iteration's figure includes the shutdown. The per-thread lines printed each iteration have neither.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RelayRoundTripBenchmark extends AbstractBenchmark
{
    private static final String WORKER_THREAD_PREFIX = "tcp-proxy-worker-";
    private static final String COLLECTOR_THREAD_NAME = "tcp-proxy-metrics";
    private static final String PROXY_THREAD_PREFIX = "tcp-proxy-";

    /** Bytes written and read back per round trip. */
    @Param({"64", "1024", "16384"})
    public int messageBytes;

    private EchoServer echoServer;
    private Proxy proxy;
    private SocketChannel viaProxy;
    private SocketChannel direct;
    private ByteBuffer message;
    private ByteBuffer reply;
    private byte sequence;
    private long roundTrips;
    private ThreadAllocationMeter allocationMeter;

    /**
     * Start the echo server and the proxy in front of it, connect a client to each and make one round trip on both,
     * so every thread involved exists before the meter looks for them.
     *
     * @param benchmark JMH's benchmark parameters: one benchmark thread only, the client socket is not shared.
     * @throws IOException if a socket cannot be opened.
     */
    @Setup(Level.Trial)
    public void setUp(final BenchmarkParams benchmark) throws IOException
    {
        if (benchmark.getThreads() != 1)
        {
            throw new IllegalArgumentException("one client thread per proxy connection: run with -t 1");
        }
        echoServer = EchoServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, EchoServer.DEFAULT_BUFFER_BYTES);
        final InetSocketAddress echoAddress = echoServer.localAddress();
        final Config config = Config.builder()
            .listenAddress("127.0.0.1:0")
            .targetAddress(echoAddress.getHostString() + ":" + echoAddress.getPort())
            .metricsAddress("")
            .workers(1)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0)
            .build();
        message = ByteBuffer.allocateDirect(messageBytes);
        reply = ByteBuffer.allocateDirect(messageBytes);
        for (int i = 0; i < messageBytes; i++)
        {
            message.put(i, (byte)i);
        }

        // A throwaway proxy first: its close links the shutdown path's lambdas and string concatenations (about
        // 0.5 MB of one-off allocation), which would otherwise land in the last measurement iteration, where JMH
        // runs the trial tear-down.
        try (Proxy throwaway = Proxy.start(config, quietConsole());
            SocketChannel client = connect(throwaway.localAddress()))
        {
            roundTrip(client);
        }

        proxy = Proxy.start(config, quietConsole());
        viaProxy = connect(proxy.localAddress());
        direct = connect(echoAddress);
        roundTrip(viaProxy);
        roundTrip(direct);
    }

    /**
     * Note each metered thread's allocation so far; the threads are found before the first iteration, when the echo
     * server and the proxy have started all of theirs.
     */
    @Setup(Level.Iteration)
    public void startIteration()
    {
        if (null == allocationMeter)
        {
            allocationMeter = newMeter();
        }
        allocationMeter.startIteration(roundTrips);
    }

    /**
     * Print what each group of threads allocated per round trip in this iteration.
     *
     * @param iteration JMH's iteration parameters, to tell warm-up from measurement.
     */
    @TearDown(Level.Iteration)
    public void endIteration(final IterationParams iteration)
    {
        final boolean measured = IterationType.MEASUREMENT == iteration.getType();
        System.out.println(allocationMeter.endIteration(roundTrips, measured));
    }

    /**
     * Print the measurement summary and close the clients, the proxy and the echo server.
     *
     * @throws IOException if closing fails.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        if (null != allocationMeter)
        {
            System.out.println(allocationMeter.summary());
        }
        viaProxy.close();
        direct.close();
        proxy.close();
        echoServer.close();
    }

    /**
     * @return the first byte echoed through the proxy.
     * @throws IOException if the connection fails.
     */
    @Benchmark
    public byte proxy() throws IOException
    {
        return roundTrip(viaProxy);
    }

    /**
     * @return the first byte echoed by the echo server directly.
     * @throws IOException if the connection fails.
     */
    @Benchmark
    public byte direct() throws IOException
    {
        return roundTrip(direct);
    }

    private byte roundTrip(final SocketChannel channel) throws IOException
    {
        final byte first = ++sequence;
        message.clear();
        message.put(0, first);
        while (message.hasRemaining())
        {
            channel.write(message);
        }

        reply.clear();
        while (reply.hasRemaining())
        {
            if (channel.read(reply) < 0)
            {
                throw new EOFException("connection closed after " + reply.position() + " of " + messageBytes + " bytes");
            }
        }
        final byte echoed = reply.get(0);
        if (echoed != first)
        {
            throw new IllegalStateException("echoed " + echoed + ", sent " + first);
        }
        roundTrips++;
        return echoed;
    }

    private ThreadAllocationMeter newMeter()
    {
        final List<Long> workers = new ArrayList<>();
        final List<Long> collector = new ArrayList<>();
        final List<Long> otherProxy = new ArrayList<>();
        final List<Long> echo = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            final String name = thread.getName();
            if (name.startsWith(WORKER_THREAD_PREFIX))
            {
                workers.add(thread.getId());
            }
            else if (name.equals(COLLECTOR_THREAD_NAME))
            {
                collector.add(thread.getId());
            }
            else if (name.startsWith(PROXY_THREAD_PREFIX))
            {
                otherProxy.add(thread.getId());
            }
            else if (name.startsWith(EchoServer.THREAD_NAME_PREFIX))
            {
                echo.add(thread.getId());
            }
        }
        if (workers.size() != 1 || collector.size() != 1)
        {
            throw new IllegalStateException("expected one worker and one collector thread, found " + workers.size() +
                " and " + collector.size());
        }
        return new ThreadAllocationMeter(
            new String[]{"proxy-worker", "proxy-collector", "proxy-other", "echo", "client+jmh"},
            new long[][]{
                toArray(workers),
                toArray(collector),
                toArray(otherProxy),
                toArray(echo),
                {Thread.currentThread().getId()}});
    }

    private static long[] toArray(final List<Long> ids)
    {
        final long[] array = new long[ids.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = ids.get(i);
        }
        return array;
    }

    private static SocketChannel connect(final InetSocketAddress address) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }
}
