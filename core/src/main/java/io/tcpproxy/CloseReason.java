package io.tcpproxy;

import java.util.Locale;

/**
 * Why a connection ended: shared by the relay, the metrics and the log.
 */
public enum CloseReason
{
    /** Both directions finished; the client sent its FIN first. */
    CLIENT_FIN,
    /** Both directions finished; the upstream sent its FIN first. */
    UPSTREAM_FIN,
    /** The client reset the connection or an I/O error happened on its socket. */
    CLIENT_RESET,
    /** The upstream reset the connection or an I/O error happened on its socket. */
    UPSTREAM_RESET,
    /** The upstream refused the connection. */
    CONNECT_REFUSED,
    /** The upstream did not accept within {@code connect_timeout_ms}. */
    CONNECT_TIMEOUT,
    /** The upstream host name did not resolve. */
    CONNECT_UNRESOLVED,
    /** Connecting to the upstream failed for another reason (no route, network down...). */
    CONNECT_ERROR,
    /** Silent in both directions for {@code idle_timeout_secs}. */
    IDLE_TIMEOUT,
    /** Closed by shutdown: the grace period ended, or the proxy was closed. */
    SHUTDOWN,
    /** An unexpected error in the proxy; closes only this connection. */
    INTERNAL_ERROR,
    /** The proxy itself ran out of file descriptors (EMFILE/ENFILE) while connecting upstream. */
    LOCAL_FD_LIMIT,
    /** No server of the pool could take the client: all down, drained or full, or every connect attempt failed. */
    NO_UPSTREAM,
    /** The client is refused by the {@code deny} / {@code allow} lists. */
    DENIED,
    /** The client already has {@code max_connections_per_client} connections open. */
    CLIENT_LIMIT,
    /** The client opens connections faster than {@code client_connect_rate} allows. */
    RATE_LIMITED,
    /** A PROXY-protocol header came from a source not in {@code proxy_protocol_trusted}. */
    PROXY_PROTOCOL_UNTRUSTED,
    /** The PROXY-protocol header was malformed, truncated or late. */
    PROXY_PROTOCOL_ERROR,
    /** No route matched the TLS server name (or the connection was not TLS) and there is no default pool. */
    NO_ROUTE,
    /** A route needs a TLS ClientHello and the client did not send TLS. */
    TLS_NOT_TLS,
    /** The TLS ClientHello was malformed. */
    TLS_MALFORMED,
    /** The TLS ClientHello was larger than {@code sni_peek_max_bytes}. */
    TLS_TOO_LARGE,
    /** The TLS ClientHello did not arrive within {@code sni_peek_timeout_ms}. */
    TLS_TIMEOUT,
    /** Its server left the configuration on a reload and {@code removed_server_drain_secs} passed. */
    SERVER_REMOVED,
    /** Its server was disabled through the admin API. */
    ADMIN_DISABLED;

    private static final CloseReason[] VALUES = values();

    private final String label = name().toLowerCase(Locale.ROOT);

    /**
     * @return the lower-case name used in metrics labels and log lines, e.g. {@code client_fin}.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return true for the reasons that mean the upstream connect failed.
     */
    public boolean isConnectFailure()
    {
        return this == CONNECT_REFUSED || this == CONNECT_TIMEOUT || this == CONNECT_UNRESOLVED ||
            this == CONNECT_ERROR;
    }

    /**
     * @param ordinal of a reason.
     * @return the reason, without allocating a values() copy.
     */
    public static CloseReason fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
