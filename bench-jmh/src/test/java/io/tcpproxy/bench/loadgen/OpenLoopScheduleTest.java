package io.tcpproxy.bench.loadgen;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class OpenLoopScheduleTest
{
    @Test
    void shouldInterleaveThisWorkersConnectionsWithTheOthersOnOneClock()
    {
        // 4 connections in all at 1,000 requests/s: one request every 1 ms across the run; this worker has 1 and 3.
        final LoadConnection one = new LoadConnection(1, 0, 16);
        final LoadConnection three = new LoadConnection(3, 0, 16);
        final OpenLoopSchedule schedule =
            new OpenLoopSchedule(new LoadConnection[]{one, three}, 4, 1_000_000.0, 5_000_000_000L);

        assertSame(one, schedule.next());
        assertEquals(5_001_000_000L, schedule.nextNs());
        schedule.advance();
        assertSame(three, schedule.next());
        assertEquals(5_003_000_000L, schedule.nextNs());
        schedule.advance();
        assertSame(one, schedule.next());
        assertEquals(5_005_000_000L, schedule.nextNs());
        assertEquals(5_007_000_000L, schedule.intendedNs(three, 1));
        assertEquals(5_041_000_000L, schedule.intendedNs(one, 10));
    }
}
