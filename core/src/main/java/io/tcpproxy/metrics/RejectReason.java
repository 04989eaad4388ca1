package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

import java.util.Locale;

/**
 * Why a client was refused without being served: the label values of {@code tcp_proxy_connections_rejected_total}.
 * A bounded set: {@code max_connections} plus the access-control close reasons.
 */
public enum RejectReason
{
    /** {@code max_connections} were open. */
    MAX_CONNECTIONS,
    /** Refused by the {@code deny} / {@code allow} lists. */
    DENIED,
    /** The client already had {@code max_connections_per_client} open. */
    CLIENT_LIMIT,
    /** The client connected faster than {@code client_connect_rate} allows. */
    RATE_LIMITED;

    private static final RejectReason[] VALUES = values();

    private final String label = name().toLowerCase(Locale.ROOT);

    /** @return the label value, e.g. {@code rate_limited}. */
    public String label()
    {
        return label;
    }

    /**
     * @param reason a close reason.
     * @return the rejection it stands for ({@link CloseReason#DENIED}, {@link CloseReason#CLIENT_LIMIT},
     *         {@link CloseReason#RATE_LIMITED}), or null for any other reason.
     */
    public static RejectReason of(final CloseReason reason)
    {
        switch (reason)
        {
            case DENIED:
                return DENIED;
            case CLIENT_LIMIT:
                return CLIENT_LIMIT;
            case RATE_LIMITED:
                return RATE_LIMITED;
            default:
                return null;
        }
    }

    static RejectReason fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
