package io.tcpproxy.metrics;

import io.tcpproxy.bench.jmh.AbstractBenchmark;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Control;

/**
 * The metrics path a worker pays for: publishing a byte delta to its ring (tryClaim, encode, commit), and the
 * collector reading it back.
 * <ul>
 *     <li>{@code publishAndCollect}: one publish, then the real {@link MetricsCollector#doWork()} (clock read, ring
 *     read, per-connection and per-client sums). The collector also builds a snapshot every 100 ms while anything
 *     changes; that allocation, a few KB ten times a second, is amortised into the figure and is off the worker's
 *     path.</li>
 *     <li>{@code publishAndRead}: one publish, then the ring's own read with a handler that only sums, the floor
 *     under the collector.</li>
 *     <li>{@code concurrent}: one thread only publishes while another drains, as a worker and the collector do;
 *     the publish figure includes the cache-line traffic between them.</li>
 * </ul>
 */
public class MetricsRingBenchmark extends AbstractBenchmark
{
    private static final long CONNECTION_ID = 42;
    private static final long UPSTREAM_BYTES = 1024;
    private static final long DOWNSTREAM_BYTES = 1024;
    private static final int CHANNEL_BUFFER_EVENTS = 1000;
    /** As the collector reads at most per ring and duty cycle. */
    private static final int READ_LIMIT = 4096;

    /** A ring with a connection already opened, and a collector reading it, both driven by the benchmark thread. */
    @State(Scope.Thread)
    public static class Collected
    {
        MetricsRing ring;
        MetricsCollector collector;
        final SummingHandler handler = new SummingHandler();

        /** Open one connection through the ring and let the collector see it, as the worker does on accept. */
        @Setup(Level.Trial)
        public void setUp()
        {
            final Config config = Config.builder()
                .metricsAddress("")
                .logEvents(LogEvents.OFF)
                .metricsLogIntervalSecs(0)
                .build();
            ring = new MetricsRing(0, CHANNEL_BUFFER_EVENTS);
            collector = new MetricsCollector(config, new MetricsRing[]{ring}, quietConsole(), () -> 0);
            if (!ring.opened(CONNECTION_ID, new byte[]{127, 0, 0, 1}, 40_000) || !ring.connected(CONNECTION_ID, 1000))
            {
                throw new IllegalStateException("a fresh ring is full");
            }
            collector.doWork();
        }
    }

    /** A ring shared by a publishing thread and a draining thread. */
    @State(Scope.Group)
    public static class Shared
    {
        final MetricsRing ring = new MetricsRing(0, CHANNEL_BUFFER_EVENTS);
        final SummingHandler handler = new SummingHandler();
    }

    /** How the concurrent publisher fared: records that went in, and attempts that found the ring full. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PublishOutcomes
    {
        /** Records published. */
        public long published;
        /** Publish attempts refused because the drainer had fallen a whole ring behind. */
        public long ringFull;

        /** Count each iteration from zero. */
        @Setup(Level.Iteration)
        public void clear()
        {
            published = 0;
            ringFull = 0;
        }
    }

    /**
     * @param state the ring and its collector.
     * @return the collector's work count.
     */
    @Benchmark
    public int publishAndCollect(final Collected state)
    {
        state.ring.bytes(CONNECTION_ID, UPSTREAM_BYTES, DOWNSTREAM_BYTES);
        return state.collector.doWork();
    }

    /**
     * @param state the ring.
     * @return records read.
     */
    @Benchmark
    public int publishAndRead(final Collected state)
    {
        state.ring.bytes(CONNECTION_ID, UPSTREAM_BYTES, DOWNSTREAM_BYTES);
        return state.ring.ring().read(state.handler, READ_LIMIT);
    }

    /**
     * The worker's side: publish one record, retrying while the ring is full, so an operation is one record in and
     * the score is the ring's sustained rate with the collector's side draining concurrently (a worker in fact
     * publishes once per duty cycle and keeps its deltas when the ring is full).
     *
     * @param state    the shared ring.
     * @param outcomes counts of records published and of retries on a full ring.
     * @param control  JMH's control: stop retrying when the iteration ends (the drainer may have stopped).
     */
    @Benchmark
    @Group("concurrent")
    @GroupThreads(1)
    public void publish(final Shared state, final PublishOutcomes outcomes, final Control control)
    {
        while (!state.ring.bytes(CONNECTION_ID, UPSTREAM_BYTES, DOWNSTREAM_BYTES))
        {
            outcomes.ringFull++;
            if (control.stopMeasurement)
            {
                return;
            }
            Thread.onSpinWait();
        }
        outcomes.published++;
    }

    /**
     * The collector's side, without the collector's bookkeeping.
     *
     * @param state the shared ring.
     * @return records read.
     */
    @Benchmark
    @Group("concurrent")
    @GroupThreads(1)
    public int drain(final Shared state)
    {
        return state.ring.ring().read(state.handler, READ_LIMIT);
    }

    static final class SummingHandler implements MessageHandler
    {
        long bytes;

        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            bytes += RingCodec.bytesUp(buffer, index);
        }
    }
}
