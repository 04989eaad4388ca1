package io.tcpproxy.upstream;

import io.tcpproxy.CloseReason;

/**
 * Why a connect to a server failed: the {@code reason} label of
 * {@code tcp_proxy_upstream_connect_failures_total}.
 */
public enum ConnectFailure
{
    /** The server refused the connection. */
    CONNECT_REFUSED("connect_refused"),
    /** The server did not accept within {@code connect_timeout_ms}. */
    CONNECT_TIMEOUT("connect_timeout"),
    /** Another failure (no route, network down...). */
    CONNECT_ERROR("connect_error");

    private static final ConnectFailure[] VALUES = values();

    private final String label;

    ConnectFailure(final String label)
    {
        this.label = label;
    }

    /**
     * @return the metrics label, e.g. {@code connect_refused}.
     */
    public String label()
    {
        return label;
    }

    /**
     * @return every reason, shared (callers must not modify it).
     */
    static ConnectFailure[] all()
    {
        return VALUES;
    }

    /**
     * @param reason a close reason for which {@link CloseReason#isConnectFailure()} holds.
     * @return the matching failure; {@link #CONNECT_ERROR} for any other reason.
     */
    public static ConnectFailure of(final CloseReason reason)
    {
        switch (reason)
        {
            case CONNECT_REFUSED:
                return CONNECT_REFUSED;
            case CONNECT_TIMEOUT:
                return CONNECT_TIMEOUT;
            default:
                return CONNECT_ERROR;
        }
    }
}
