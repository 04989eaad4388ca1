package io.tcpproxy.http;

import java.util.concurrent.TimeUnit;

/**
 * Bounds on what one client may cost the responder.
 *
 * @param maxConnections   connections served at once; at the cap a new one replaces the connection that made
 *                         progress least recently (a slow or idle one that has sent something), so a flood cannot
 *                         lock out health checks.
 * @param maxHeadBytes     request head limit (request line and headers); beyond it 431.
 * @param headTimeoutNs    a request head must arrive within this, from its first byte (or from accept).
 * @param idleTimeoutNs    a kept-alive connection with no request in progress is closed after this.
 * @param writeTimeoutNs   a response write that makes no progress this long closes the connection.
 * @param lingerTimeoutNs  after the last response of a closing connection, how long unread input is drained.
 * @param acceptPauseNs    how long accepting pauses after accept fails (out of file descriptors).
 * @param eventIntervalNs  how often the dashboard's event stream sends a snapshot.
 * @param maxEventBacklogBytes event bytes a stream client may leave unsent before it is dropped.
 */
record HttpLimits(
    int maxConnections,
    int maxHeadBytes,
    long headTimeoutNs,
    long idleTimeoutNs,
    long writeTimeoutNs,
    long lingerTimeoutNs,
    long acceptPauseNs,
    long eventIntervalNs,
    int maxEventBacklogBytes)
{
    static final int DEFAULT_MAX_CONNECTIONS = 256;
    static final int DEFAULT_MAX_HEAD_BYTES = 8 * 1024;
    static final int DEFAULT_MAX_EVENT_BACKLOG_BYTES = 256 * 1024;

    static HttpLimits defaults()
    {
        return new HttpLimits(
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_HEAD_BYTES,
            TimeUnit.SECONDS.toNanos(10),
            TimeUnit.SECONDS.toNanos(30),
            TimeUnit.SECONDS.toNanos(10),
            TimeUnit.SECONDS.toNanos(2),
            TimeUnit.MILLISECONDS.toNanos(100),
            TimeUnit.SECONDS.toNanos(1),
            DEFAULT_MAX_EVENT_BACKLOG_BYTES);
    }

    HttpLimits
    {
        if (maxConnections < 1 || maxHeadBytes < 64 || headTimeoutNs <= 0 || idleTimeoutNs <= 0 ||
            writeTimeoutNs <= 0 || lingerTimeoutNs <= 0 || acceptPauseNs <= 0 || eventIntervalNs <= 0 ||
            maxEventBacklogBytes < 1)
        {
            throw new IllegalArgumentException("HTTP limits must be positive (maxHeadBytes at least 64)");
        }
    }
}
