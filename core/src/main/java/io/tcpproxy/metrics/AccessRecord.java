package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

/**
 * One closed connection, as the access log writes it.
 *
 * @param acceptedAtMs      wall clock when the client was accepted (epoch ms).
 * @param client            the client's {@code ip:port}.
 * @param upstream          the upstream server's {@code ip:port}, or null when none was connected.
 * @param worker            the worker that carried it.
 * @param connectNs         time to connect to the upstream, or -1 when no upstream connection was made.
 * @param durationNs        lifetime.
 * @param bytesUpstream     bytes client to upstream.
 * @param bytesDownstream   bytes upstream to client.
 * @param reason            why it closed.
 * @param endedBy           which side ended it.
 * @param activeConnections connections still open after this one closed.
 */
record AccessRecord(
    long acceptedAtMs,
    String client,
    String upstream,
    int worker,
    long connectNs,
    long durationNs,
    long bytesUpstream,
    long bytesDownstream,
    CloseReason reason,
    EndedBy endedBy,
    long activeConnections)
{
}
