package io.tcpproxy.http;

/**
 * Which connection goes when the responder is at its connection cap: the one that made progress least recently,
 * preferring one that was heard from and is waiting for a request (slow or idle), then an event stream, and only as
 * a last resort one that has not sent a byte yet: a health check accepted a moment ago may simply not have had its
 * turn to send. A response being written is never cut.
 */
final class ShedPolicy
{
    private ShedPolicy()
    {
    }

    /**
     * @param connections the open connections, from index 0.
     * @param count       how many are open.
     * @return the connection to close, or null when every one is writing a response.
     */
    static HttpConnection victim(final HttpConnection[] connections, final int count)
    {
        HttpConnection victim = null;
        int victimRank = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++)
        {
            final HttpConnection candidate = connections[i];
            if (candidate.writing && !candidate.streaming)
            {
                continue;
            }
            final int rank = rank(candidate);
            if (rank < victimRank || rank == victimRank && candidate.progressNs - victim.progressNs < 0)
            {
                victim = candidate;
                victimRank = rank;
            }
        }
        return victim;
    }

    /**
     * Lower goes first: heard from and waiting for a request, then an event stream, then not heard from yet.
     */
    private static int rank(final HttpConnection connection)
    {
        if (!connection.heardFrom)
        {
            return 2;
        }
        return connection.streaming ? 1 : 0;
    }
}
