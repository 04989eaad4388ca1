package io.tcpproxy.upstream;

/**
 * The outcome of one active health check: the {@code result} label of
 * {@code tcp_proxy_upstream_health_checks_total}.
 */
public enum CheckResult
{
    /** Connected (and, with {@code expect}, the reply started with the expected bytes). */
    OK("ok"),
    /** The server refused the connection. */
    CONNECT_REFUSED("connect_refused"),
    /** No connection or no full reply within {@code timeout_ms}. */
    TIMEOUT("timeout"),
    /** The reply did not start with the expected bytes, or the server closed before sending them. */
    BAD_REPLY("bad_reply"),
    /** Another I/O error (no route, reset...). */
    ERROR("error");

    private static final CheckResult[] VALUES = values();

    private final String label;

    CheckResult(final String label)
    {
        this.label = label;
    }

    /**
     * @return the metrics label, e.g. {@code bad_reply}.
     */
    public String label()
    {
        return label;
    }

    static CheckResult[] all()
    {
        return VALUES;
    }
}
