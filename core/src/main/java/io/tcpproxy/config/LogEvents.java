package io.tcpproxy.config;

/** What the console logs per connection. */
public enum LogEvents
{
    /** No per-connection lines (summaries still print). */
    OFF,
    /** Open and close lines. */
    CONNECTIONS,
    /** Open and close lines plus byte lines, coalesced per connection per interval. */
    ALL
}
