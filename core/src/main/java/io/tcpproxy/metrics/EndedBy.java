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
    /** Looked up by the worker on every close: a plain array read, no switch class, no allocation. */
    private static final EndedBy[] BY_REASON = new EndedBy[CloseReason.values().length];

    static
    {
        for (final CloseReason reason : CloseReason.values())
        {
            BY_REASON[reason.ordinal()] = implied(reason);
        }
    }

    /**
     * @param reason why the connection closed.
     * @return the side that reason implies, when the worker does not say.
     */
    public static EndedBy of(final CloseReason reason)
    {
        return BY_REASON[reason.ordinal()];
    }

    private static EndedBy implied(final CloseReason reason)
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
            default:
                return PROXY; // timeouts, shutdown, internal errors, and reasons added later: the proxy decided
        }
    }

    static EndedBy fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
