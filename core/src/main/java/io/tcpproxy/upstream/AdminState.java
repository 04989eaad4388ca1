package io.tcpproxy.upstream;

import java.util.Locale;

/**
 * What an operator asked of a server (through the admin API); independent of its health.
 */
public enum AdminState
{
    /** Takes new clients while healthy. */
    ENABLED,
    /** Takes no new clients; its connections finish normally. */
    DRAINING,
    /** Takes no new clients (the admin API may also close its connections). */
    DISABLED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /**
     * @return the lower-case name, e.g. {@code draining}.
     */
    public String label()
    {
        return label;
    }
}
