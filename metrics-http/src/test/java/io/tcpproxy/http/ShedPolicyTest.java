package io.tcpproxy.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class ShedPolicyTest
{
    @Test
    void shouldPreferAnIdleClientOverAStreamOverOneNotHeardFrom()
    {
        final HttpConnection notHeardFrom = connection(false, false, false, 1);
        final HttpConnection stream = connection(true, true, true, 2);
        final HttpConnection idle = connection(true, false, false, 3);

        assertSame(idle, ShedPolicy.victim(new HttpConnection[]{notHeardFrom, stream, idle}, 3));
        assertSame(stream, ShedPolicy.victim(new HttpConnection[]{notHeardFrom, stream}, 2));
        assertSame(notHeardFrom, ShedPolicy.victim(new HttpConnection[]{notHeardFrom}, 1));
    }

    @Test
    void shouldShedTheLeastRecentlyActiveOfTheSameRank()
    {
        final long[] lastActiveNs = {200, 100, 150};
        final HttpConnection[] sameRank = new HttpConnection[lastActiveNs.length];
        for (int i = 0; i < sameRank.length; i++)
        {
            sameRank[i] = connection(true, false, false, lastActiveNs[i]);
        }

        assertSame(sameRank[1], ShedPolicy.victim(sameRank, 3), "the one active longest ago (100)");
    }

    @Test
    void shouldOrderProgressAcrossTheNanoTimeWrap()
    {
        final HttpConnection beforeWrap = connection(true, false, false, Long.MAX_VALUE - 10);
        final HttpConnection afterWrap = connection(true, false, false, Long.MIN_VALUE + 10);

        assertSame(beforeWrap, ShedPolicy.victim(new HttpConnection[]{afterWrap, beforeWrap}, 2));
    }

    @Test
    void shouldNeverCutAResponseBeingWritten()
    {
        final HttpConnection writing = connection(true, true, false, 1);
        final HttpConnection notHeardFrom = connection(false, false, false, 2);

        assertSame(notHeardFrom, ShedPolicy.victim(new HttpConnection[]{writing, notHeardFrom}, 2));
        assertNull(ShedPolicy.victim(new HttpConnection[]{writing}, 1));
    }

    @Test
    void shouldLookOnlyAtTheOpenConnections()
    {
        final HttpConnection open = connection(false, false, false, 5);
        final HttpConnection beyondCount = connection(true, false, false, 1);

        assertSame(open, ShedPolicy.victim(new HttpConnection[]{open, beyondCount}, 1));
    }

    private static HttpConnection connection(
        final boolean heardFrom, final boolean writing, final boolean streaming, final long progressNs)
    {
        final HttpConnection connection = new HttpConnection(16, 16);
        connection.reset();
        connection.heardFrom = heardFrom;
        connection.writing = writing;
        connection.streaming = streaming;
        connection.progressNs = progressNs;
        return connection;
    }
}
