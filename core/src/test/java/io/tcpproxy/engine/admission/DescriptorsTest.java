package io.tcpproxy.engine.admission;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.upstream.UpstreamConnector;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorsTest
{
    @Test
    void shouldLowerMaxConnectionsToWhatTheDescriptorLimitHolds()
    {
        // 256 descriptors, 20 open: 256 - 20 - 64 headroom - 2 workers x 4 = 164 spare, 2 per connection
        assertEquals(82, Descriptors.fixed(256, 20).effectiveMaxConnections(10_000, 2));
    }

    @Test
    void shouldKeepTheConfiguredMaxConnectionsWhenTheLimitHoldsMore()
    {
        assertEquals(10_000, Descriptors.fixed(1_048_576, 20).effectiveMaxConnections(10_000, 2));
        assertEquals(10_000, Descriptors.fixed(Long.MAX_VALUE, 0).effectiveMaxConnections(10_000, 64));
    }

    @Test
    void shouldNeverDeriveFewerThanOneConnection()
    {
        assertEquals(1, Descriptors.fixed(64, 60).effectiveMaxConnections(10_000, 1));
    }

    @Test
    void shouldReadThisProcessLimit()
    {
        final Descriptors descriptors = Descriptors.ofThisProcess();
        assertTrue(descriptors.limit() > 0);
        assertTrue(descriptors.tryReserve(), "no room for one connection in a fresh test JVM");
        descriptors.release();
        assertEquals(0, descriptors.reserved());
    }

    @Test
    void shouldAskTheKernelOnlyWhenTheBoundLeavesNoRoom()
    {
        final AtomicInteger counts = new AtomicInteger();
        final Descriptors descriptors = Descriptors.counted(1_048_576, () ->
        {
            counts.incrementAndGet();
            return 20;
        });
        counts.set(0);
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(descriptors.tryReserve());
            descriptors.release();
        }
        assertEquals(1, counts.get(), "a /proc/self/fd count per accept where a million descriptors are free");
        assertEquals(0, descriptors.reserved());
    }

    @Test
    void shouldCountReservationsNotYetOpenAgainstTheDescriptorsFree()
    {
        // 256 allowed, 228 open: 256 - 228 - 16 spare = 12 free, room for six clients' two descriptors each
        final AtomicLong open = new AtomicLong(228);
        final Descriptors descriptors = Descriptors.counted(256, open::get);
        for (int i = 0; i < 6; i++)
        {
            assertTrue(descriptors.tryReserve(), "reservation " + i);
        }
        // e.g. six clients accepted by one worker and still on their way to another: no upstream socket yet
        assertFalse(descriptors.tryReserve(), "a seventh client would take a descriptor an upstream socket needs");
        assertEquals(6, descriptors.reserved());

        open.addAndGet(6); // the six accepted: their client sockets are open, the reservations still hold
        assertFalse(descriptors.tryReserve());
        for (int i = 0; i < 6; i++)
        {
            open.incrementAndGet(); // an upstream socket opened: the kernel counts it now, the reservation ends
            descriptors.release();
        }
        assertEquals(0, descriptors.reserved());
        assertFalse(descriptors.tryReserve(), "240 open and 16 spare: nothing free");

        open.addAndGet(-2); // a connection's descriptors let go of by its selector
        assertTrue(descriptors.tryReserve());
    }

    @Test
    void shouldCountWhatOthersOpenedOnceTheBoundRunsOut()
    {
        // the count is taken at the first reservation; then other threads (or closed channels still held by their
        // selector) take descriptors that no connection count shows
        final AtomicLong open = new AtomicLong(20);
        final Descriptors descriptors = Descriptors.counted(256, open::get);
        assertTrue(descriptors.tryReserve());
        descriptors.release();
        open.set(240); // e.g. 220 held by closed channels their selectors have not let go of yet, and scrapes
        int reservedBeforeFull = 0;
        while (descriptors.tryReserve() && reservedBeforeFull < 1_000)
        {
            descriptors.release(); // a connection opened and closed again: the bound cannot tell
            reservedBeforeFull++;
        }
        // the bound (20 counted + 2) grows by two a reservation up to 256 - 16 - 2: 109 more, then a recount sees 240
        assertEquals(109, reservedBeforeFull);
        assertFalse(descriptors.tryReserve(), "asked again, the kernel still counts 240 open");

        open.set(200);
        assertTrue(descriptors.tryReserve());
    }

    @Test
    void shouldNameALocalDescriptorShortageApartFromUpstreamFailures()
    {
        assertEquals(CloseReason.LOCAL_FD_LIMIT,
            UpstreamConnector.failureReason(new SocketException("Too many open files")));
        assertEquals(CloseReason.LOCAL_FD_LIMIT,
            UpstreamConnector.failureReason(new SocketException("Too many open files in system")));
        assertEquals(CloseReason.CONNECT_REFUSED,
            UpstreamConnector.failureReason(new ConnectException("Connection refused")));
        assertEquals(CloseReason.CONNECT_ERROR,
            UpstreamConnector.failureReason(new SocketException("Network is unreachable")));
        assertEquals("local_fd_limit", CloseReason.LOCAL_FD_LIMIT.label());
    }
}
