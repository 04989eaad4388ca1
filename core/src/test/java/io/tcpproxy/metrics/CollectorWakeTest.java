package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The collector parks up to a snapshot interval; a worker wakes it only when its ring passes half full.
 */
class CollectorWakeTest
{
    private static final long AWAIT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final byte[] CLIENT = {10, 0, 0, 1};

    private final MetricsRing ring = new MetricsRing(0, 16); // 1 KiB: a few dozen records
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private AgentRunner runner;

    @AfterEach
    void release()
    {
        if (runner != null)
        {
            runner.close();
        }
        ring.free();
    }

    @Test
    void shouldWakeTheReaderOnceWhenItsRingPassesHalfFullAndAgainAfterItDrained()
    {
        ring.readBy(Thread.currentThread()); // an unpark of this thread only leaves a permit
        final long halfBytes = ring.ring().capacity() / 2;

        long id = 0;
        while (ring.ring().size() + 64 < halfBytes)
        {
            assertTrue(ring.bytes(++id, 1, 1));
        }
        assertEquals(0, ring.readerWakeCount(), "below half full: no wake-up");
        while (ring.ring().size() < halfBytes)
        {
            assertTrue(ring.bytes(++id, 1, 1));
        }
        assertEquals(1, ring.readerWakeCount(), "the record that passed half full woke the reader");
        assertTrue(ring.bytes(++id, 1, 1));
        assertEquals(1, ring.readerWakeCount(), "the next record does not wake it again");

        ring.ring().read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
        while (ring.ring().size() + 64 < halfBytes)
        {
            assertTrue(ring.bytes(++id, 1, 1));
        }
        assertEquals(1, ring.readerWakeCount(), "drained, then below half full again");
        while (ring.ring().size() < halfBytes)
        {
            assertTrue(ring.bytes(++id, 1, 1));
        }
        assertEquals(2, ring.readerWakeCount());
    }

    @Test
    void shouldNeverWakeAReaderThatKeepsUp()
    {
        ring.readBy(Thread.currentThread());
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(ring.opened(i, CLIENT, 5000));
            assertTrue(ring.closed(i, CloseReason.CLIENT_FIN, 1, 10, 10));
            if (i % 2 == 1)
            {
                ring.ring().read((type, buffer, index, length) -> { }, Integer.MAX_VALUE);
                ring.ring().read((type, buffer, index, length) -> { }, Integer.MAX_VALUE); // the part after a wrap
            }
        }
        assertEquals(0, ring.readerWakeCount());
    }

    @Test
    void shouldParkUntilTheSnapshotIsDueAndNoLongerThanTheLongestPark()
    {
        final long[] nowNs = {1_000_000_000L};
        final MetricsCollector collector = collector(() -> nowNs[0]);
        final long msNs = TimeUnit.MILLISECONDS.toNanos(1);

        nowNs[0] += 30 * msNs;
        assertTrue(ring.opened(1, CLIENT, 5000));
        collector.doWork(); // read, not yet published: 30 ms since the last snapshot
        assertEquals(70 * msNs, collector.parkNs(MetricsCollector.MAX_PARK_NS), "until the snapshot is due");

        nowNs[0] += 70 * msNs;
        collector.doWork(); // published
        assertEquals(1, collector.snapshot().totalConnections());
        assertEquals(MetricsCollector.MAX_PARK_NS, collector.parkNs(MetricsCollector.MAX_PARK_NS),
            "nothing pending: the longest park, a snapshot interval");

        collector.beforeStop();
        assertEquals(msNs, collector.parkNs(MetricsCollector.MAX_PARK_NS), "stopping: short parks only");
    }

    @Test
    void aBurstLargerThanHalfTheRingWakesACollectorParkedForMinutesAndLosesNothing()
    {
        final MetricsCollector collector = collector(System::nanoTime);
        // parked for ten minutes unless woken: only the ring's wake-ups can drain the burst within the deadline
        start(collector, collector.idleStrategy(TimeUnit.MINUTES.toNanos(10)));
        final MetricsSnapshot initial = collector.snapshot();
        awaitTrue("the first snapshot, after which the collector parks long", () -> collector.snapshot() != initial);

        final int connections = 500; // ~1,000 records through a ring of ~25
        publishBurst(connections);
        assertTrue(ring.readerWakeCount() > 0);

        collector.beforeStop();
        runner.close();
        runner = null;
        collector.finish(false);
        final MetricsSnapshot last = collector.snapshot();
        assertEquals(connections, last.totalConnections());
        assertEquals(connections, last.closes(CloseReason.CLIENT_FIN));
        assertEquals(0, last.activeConnections());
        assertEquals(connections * 3L, last.bytesUpstream());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void aBurstShowsExactTotalsInASnapshotWithoutStoppingTheCollector()
    {
        final MetricsCollector collector = collector(System::nanoTime);
        start(collector, collector.idleStrategy());

        final int connections = 500;
        publishBurst(connections);

        awaitTrue("exact totals in a snapshot", () ->
        {
            final MetricsSnapshot snapshot = collector.snapshot();
            return snapshot.totalConnections() == connections && snapshot.activeConnections() == 0 &&
                snapshot.closes(CloseReason.CLIENT_FIN) == connections;
        });
        assertTrue(errors.isEmpty(), errors::toString);
    }

    /** Like a worker: a full ring is counted and retried 1 ms later, nothing is dropped. */
    private void publishBurst(final int connections)
    {
        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        for (int id = 1; id <= connections; id++)
        {
            final long connectionId = id;
            retry(deadlineNs, () -> ring.opened(connectionId, CLIENT, 5000));
            retry(deadlineNs, () -> ring.bytes(connectionId, 3, 4));
            retry(deadlineNs, () -> ring.closed(connectionId, CloseReason.CLIENT_FIN, 1_000, 3, 4));
        }
    }

    private void retry(final long deadlineNs, final java.util.function.BooleanSupplier publish)
    {
        while (!publish.getAsBoolean())
        {
            ring.onRingFull();
            if (System.nanoTime() - deadlineNs > 0)
            {
                final StringBuilder stacks = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, st) ->
                {
                    if (t.getName().contains("metrics"))
                    {
                        stacks.append(t.getName()).append(' ').append(t.getState()).append(java.util.Arrays.toString(st));
                    }
                });
                fail("the ring stayed full: the collector was not woken (wake-ups " + ring.readerWakeCount() + ") tail " +
                    ring.ring().producerPosition() + " head " + ring.ring().consumerPosition() + " " + stacks);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void start(final MetricsCollector collector, final IdleStrategy idleStrategy)
    {
        runner = new AgentRunner(idleStrategy, errors::add, null, collector);
        AgentRunner.startOnThread(runner);
    }

    private static void awaitTrue(final String what, final java.util.function.BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + AWAIT_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** @return a collector of {@link #ring} that prints nothing, with time from {@code nanoClock}. */
    private MetricsCollector collector(final LongSupplier nanoClock)
    {
        return new MetricsCollector(Config.builder().logEvents(LogEvents.OFF).metricsLogIntervalSecs(0).build(),
            new MetricsRing[]{ring}, new PrintStream(OutputStream.nullOutputStream()), () -> 0, null, nanoClock,
            () -> 1_700_000_000_000L, MetricsCollector.CLIENT_SERIES_RETENTION_NS);
    }
}
