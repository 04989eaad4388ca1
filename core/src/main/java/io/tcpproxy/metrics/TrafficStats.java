package io.tcpproxy.metrics;

/**
 * Connection and byte figures for one slice of the traffic: one worker, one client IP, or "other".
 *
 * @param name                 the worker index, the client IP, or {@code other}.
 * @param activeConnections    connections open now.
 * @param totalConnections     connections accepted so far.
 * @param bytesUpstream        bytes relayed from clients to the upstream.
 * @param bytesDownstream      bytes relayed from the upstream to clients.
 */
public record TrafficStats(
    String name, long activeConnections, long totalConnections, long bytesUpstream, long bytesDownstream)
{
}
