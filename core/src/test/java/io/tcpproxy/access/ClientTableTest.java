package io.tcpproxy.access;

import io.tcpproxy.access.ClientTable.Admission;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.tcpproxy.access.ClientTable.Admission.ADMITTED;
import static io.tcpproxy.access.ClientTable.Admission.CLIENT_LIMIT;
import static io.tcpproxy.access.ClientTable.Admission.RATE_LIMITED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientTableTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldCapOpenConnectionsPerClient()
    {
        final ClientTable table = new ClientTable(1000, 2, 0, 0);
        final long a = key(1);
        final long b = key(2);
        assertEquals(ADMITTED, table.tryAcquire(0, a, 0));
        assertEquals(ADMITTED, table.tryAcquire(0, a, 0));
        assertEquals(CLIENT_LIMIT, table.tryAcquire(0, a, 0));
        assertEquals(ADMITTED, table.tryAcquire(0, b, 0), "another client is not affected");
        assertEquals(2, table.openConnections(0, a));
        assertTrue(table.release(0, a));
        assertEquals(ADMITTED, table.tryAcquire(0, a, 0));
        assertTrue(table.release(0, a));
        assertTrue(table.release(0, a));
        assertFalse(table.release(0, a), "no more open connections to release");
        assertEquals(0, table.openConnections(0, a));
        assertFalse(table.release(0, key(99)), "unknown client");
    }

    @Test
    void shouldLimitTheConnectRateWithABurstOnAFakeClock()
    {
        // 10 per second, bursts of 3
        final ClientTable table = new ClientTable(1000, 0, 10, 3);
        final long c = key(7);
        long now = 5 * SECOND_NS;
        for (int i = 0; i < 3; i++)
        {
            assertEquals(ADMITTED, table.tryAcquire(0, c, now), "burst " + i);
        }
        assertEquals(RATE_LIMITED, table.tryAcquire(0, c, now));
        assertEquals(ADMITTED, table.tryAcquire(0, key(8), now), "another client has its own bucket");
        now += SECOND_NS / 10 - 1;
        assertEquals(RATE_LIMITED, table.tryAcquire(0, c, now), "one token refills in 100 ms, not 99.999999");
        now += 1;
        assertEquals(ADMITTED, table.tryAcquire(0, c, now));
        assertEquals(RATE_LIMITED, table.tryAcquire(0, c, now));
        // a long pause refills the bucket up to the burst only
        now += 60 * SECOND_NS;
        for (int i = 0; i < 3; i++)
        {
            assertEquals(ADMITTED, table.tryAcquire(0, c, now), "refilled " + i);
        }
        assertEquals(RATE_LIMITED, table.tryAcquire(0, c, now));
        // a steady 10 per second passes
        for (int i = 0; i < 100; i++)
        {
            now += SECOND_NS / 10;
            assertEquals(ADMITTED, table.tryAcquire(0, c, now), "steady " + i);
        }
        // rejected attempts do not spend tokens
        assertEquals(RATE_LIMITED, table.tryAcquire(0, c, now));
        now += SECOND_NS / 10;
        assertEquals(ADMITTED, table.tryAcquire(0, c, now));
        assertEquals(3 + 1 + 3 + 100 + 1, table.openConnections(0, c), "every admitted connection counted as open");
    }

    @Test
    void shouldUseTheRateAsBurstWhenTheBurstIsZero()
    {
        final ClientTable table = new ClientTable(10, 0, 5, 0);
        for (int i = 0; i < 5; i++)
        {
            assertEquals(ADMITTED, table.tryAcquire(0, key(1), 0));
        }
        assertEquals(RATE_LIMITED, table.tryAcquire(0, key(1), 0));
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedIdleClientAndNeverOneWithOpenConnections()
    {
        final ClientTable table = new ClientTable(3, 0, 1, 1);
        assertEquals(ADMITTED, table.tryAcquire(0, key(1), 0));
        table.release(0, key(1));
        assertEquals(ADMITTED, table.tryAcquire(0, key(2), 0));
        assertEquals(ADMITTED, table.tryAcquire(0, key(3), 0));
        table.release(0, key(3));
        // key 2 holds an open connection; 1 is the least recently used idle client
        assertEquals(RATE_LIMITED, table.tryAcquire(0, key(3), 0), "3 is remembered, and now most recent");
        assertEquals(ADMITTED, table.tryAcquire(0, key(4), 0), "evicts 1");
        assertEquals(3, table.size());
        assertEquals(ADMITTED, table.tryAcquire(0, key(1), 0), "1 was forgotten: a fresh bucket (evicts 3)");
        assertEquals(1, table.openConnections(0, key(2)), "2 kept: it has an open connection");
        assertEquals(CLIENT_LIMIT, table.tryAcquire(0, key(3), 0), "2, 4 and 1 are busy: 3 cannot be tracked");
        table.release(0, key(4));
        assertEquals(ADMITTED, table.tryAcquire(0, key(3), 0), "3 was evicted before: a fresh bucket (evicts 4)");
        assertEquals(0, table.openConnections(0, key(4)));
        // the three entries (2, 1, 3) all hold open connections: a new client cannot be tracked
        assertEquals(3, table.size());
        assertEquals(CLIENT_LIMIT, table.tryAcquire(0, key(5), 0), "every entry has open connections");
    }

    @Test
    void shouldKeepAMillionDistinctClientsInBoundedMemoryWithoutAllocating()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().getId();
        final ClientTable table = new ClientTable(10_000, 4, 100, 10);
        final byte[] v4 = new byte[4];
        final byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        // a long-lived client in the middle of the scan is never evicted
        assertEquals(ADMITTED, table.tryAcquire(0, key(0x7F000001), 0));
        scan(table, 20_000, v4, v6);
        final long before = threads.getThreadAllocatedBytes(self);
        scan(table, 1_000_000, v4, v6);
        final long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertEquals(10_000, table.capacity());
        assertEquals(10_000, table.size());
        assertEquals(1, table.openConnections(0, key(0x7F000001)));
        // one allocation per address would be 16 MB or more
        assertTrue(allocated < 1_000_000, allocated + " bytes allocated for 1,000,000 addresses");
    }

    private static void scan(final ClientTable table, final int addresses, final byte[] v4, final byte[] v6)
    {
        for (int i = 0; i < addresses; i++)
        {
            final long high;
            final long low;
            if ((i & 1) == 0)
            {
                v4[0] = (byte)(i >>> 24 | 1);
                v4[1] = (byte)(i >>> 16);
                v4[2] = (byte)(i >>> 8);
                v4[3] = (byte)i;
                high = ClientKey.high(v4, 4, 64);
                low = ClientKey.low(v4, 4, 64);
            }
            else
            {
                v6[4] = (byte)(i >>> 24);
                v6[5] = (byte)(i >>> 16);
                v6[6] = (byte)(i >>> 8);
                v6[7] = (byte)i;
                high = ClientKey.high(v6, 16, 64);
                low = ClientKey.low(v6, 16, 64);
            }
            if (table.tryAcquire(high, low, i) == Admission.ADMITTED)
            {
                table.release(high, low);
            }
        }
    }

    @Test
    void shouldCountExactlyUnderConcurrentWorkers() throws Exception
    {
        final int threads = 4;
        final int rounds = 50_000;
        final ClientTable table = new ClientTable(256, 1_000_000, 0, 0);
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong admitted = new AtomicLong();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int seed = t;
            final Thread worker = new Thread(() ->
            {
                try
                {
                    start.await();
                    for (int i = 0; i < rounds; i++)
                    {
                        // 64 shared clients, all workers on all of them; each acquire released, except the last 10
                        final long client = key((i * 31 + seed) & 63);
                        if (table.tryAcquire(0, client, i) == ADMITTED)
                        {
                            admitted.incrementAndGet();
                            if (i < rounds - 10 && !table.release(0, client))
                            {
                                throw new AssertionError("release of an admitted connection failed");
                            }
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                }
            }, "client-table-worker-" + t);
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(worker.isAlive());
        }
        assertNull(failure.get());
        assertEquals(threads * (long)rounds, admitted.get());
        int open = 0;
        for (int c = 0; c < 64; c++)
        {
            open += table.openConnections(0, key(c));
        }
        assertEquals(threads * 10, open, "each worker left its last 10 connections open");
    }

    @Test
    void shouldBehaveLikeASimpleLruModelUnderRandomOperations()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (final int capacity : new int[] {1, 5, 100}) // below 128: one stripe, so LRU is global
        {
            final ClientTable table = new ClientTable(capacity, 3, 0, 0);
            final java.util.Map<Long, long[]> model = new java.util.HashMap<>(); // key -> {open, lastIdleAt}
            long clock = 0;
            for (int op = 0; op < 200_000; op++)
            {
                final long client = key(random.nextInt(capacity * 3 + 2));
                final String context = "capacity " + capacity + " op " + op;
                clock++;
                if (random.nextInt(3) > 0)
                {
                    long[] state = model.get(client);
                    final Admission expected;
                    if (state == null && model.size() == capacity)
                    {
                        Long victim = null;
                        for (final java.util.Map.Entry<Long, long[]> e : model.entrySet())
                        {
                            if (e.getValue()[0] == 0 && (victim == null || e.getValue()[1] < model.get(victim)[1]))
                            {
                                victim = e.getKey();
                            }
                        }
                        if (victim != null)
                        {
                            model.remove(victim);
                        }
                    }
                    if (state == null && model.size() < capacity)
                    {
                        state = new long[] {0, clock};
                        model.put(client, state);
                    }
                    if (state == null || state[0] >= 3)
                    {
                        expected = CLIENT_LIMIT;
                    }
                    else
                    {
                        state[0]++;
                        expected = ADMITTED;
                    }
                    assertEquals(expected, table.tryAcquire(0, client, clock), context);
                }
                else
                {
                    final long[] state = model.get(client);
                    final boolean expected = state != null && state[0] > 0;
                    if (expected && --state[0] == 0)
                    {
                        state[1] = clock;
                    }
                    assertEquals(expected, table.release(0, client), context);
                }
                assertEquals(model.size(), table.size(), context);
            }
            for (final java.util.Map.Entry<Long, long[]> e : model.entrySet())
            {
                assertEquals(e.getValue()[0], table.openConnections(0, e.getKey()));
            }
        }
    }

    private static long key(final int ipv4)
    {
        final byte[] address = {(byte)(ipv4 >>> 24), (byte)(ipv4 >>> 16), (byte)(ipv4 >>> 8), (byte)ipv4};
        return ClientKey.low(address, 4, 64);
    }
}
