package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

/**
 * Which side ended a connection, for the access log.
 */
public enum EndedBy
{
    /** The client closed or reset first. */
    CLIENT,
    /** The upstream closed, reset or could not be reached. */
    UPSTREAM,
    /** The proxy ended it (a timeout, shutdown, an internal error). */
    PROXY;

    private static final EndedBy[] VALUES = values();

    /**
     * @param reason why the connection closed.
     * @return the side that reason implies, when the worker does not say.
     */
    public static EndedBy of(final CloseReason reason)
    {
        switch (reason)
        {
            case CLIENT_FIN:
            case CLIENT_RESET:
                return CLIENT;
            case UPSTREAM_FIN:
            case UPSTREAM_RESET:
            case CONNECT_REFUSED:
            case CONNECT_UNRESOLVED:
            case CONNECT_ERROR:
                return UPSTREAM;
            case CONNECT_TIMEOUT:
            case IDLE_TIMEOUT:
            case SHUTDOWN:
            case INTERNAL_ERROR:
                return PROXY;
            default:
                return PROXY; // a reason added later and not listed here: the proxy decided
        }
    }

    static EndedBy fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
