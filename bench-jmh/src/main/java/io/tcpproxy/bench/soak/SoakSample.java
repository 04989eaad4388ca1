package io.tcpproxy.bench.soak;

/**
 * One look at the proxy during a soak.
 *
 * @param elapsedSecs      seconds since the load started.
 * @param rssBytes         resident set size ({@code VmRSS} of {@code /proc/PID/status}).
 * @param openFds          entries of {@code /proc/PID/fd}.
 * @param activeConnections {@code active_connections} of {@code /metrics?format=json}.
 * @param totalConnections {@code total_connections}.
 * @param bytesUpstream    {@code bytes_upstream}.
 * @param bytesDownstream  {@code bytes_downstream}.
 */
record SoakSample(
    double elapsedSecs,
    long rssBytes,
    long openFds,
    long activeConnections,
    long totalConnections,
    long bytesUpstream,
    long bytesDownstream)
{
}
