package io.tcpproxy.config;

/** How each access log line is written ({@code access_log_format}). */
public enum AccessLogFormat
{
    /** One text line per connection, modelled on HAProxy's tcplog. */
    TEXT,
    /** One JSON object per line. */
    JSON
}
