package io.tcpproxy.upstream;

import java.util.List;

/**
 * Told of every server state change, always on the pool's health agent thread (or the thread driving it by hand),
 * never on a relay thread. {@link UpstreamConsole#listener} prints them.
 */
public interface UpstreamListener
{
    /** Ignores everything. */
    UpstreamListener NONE = new UpstreamListener()
    {
    };

    /**
     * Active checks marked a server down or up.
     *
     * @param server       the server.
     * @param up           the new state.
     * @param checksInARow the failures (down) or successes (up) in a row that decided it.
     * @param lastResult   the deciding check's result.
     */
    default void onHealthChanged(
        final UpstreamServer server, final boolean up, final int checksInARow, final CheckResult lastResult)
    {
    }

    /**
     * Passive health took a server out.
     *
     * @param server         the server.
     * @param ejectionMs     for how long.
     * @param failuresInARow the failed connects in a row that decided it.
     * @param lastFailure    the last one's reason.
     */
    default void onEjected(
        final UpstreamServer server, final long ejectionMs, final int failuresInARow, final ConnectFailure lastFailure)
    {
    }

    /**
     * An ejected server takes clients again.
     *
     * @param server        the server.
     * @param byActiveCheck true when an active check succeeded before the ejection time was over.
     */
    default void onReadmitted(final UpstreamServer server, final boolean byActiveCheck)
    {
    }

    /**
     * A host name resolved to a different set of addresses.
     *
     * @param configuredAddr the {@code addr} as configured.
     * @param added          servers that joined.
     * @param removed        servers that take no new clients (their connections finish normally).
     */
    default void onServersChanged(
        final String configuredAddr, final List<UpstreamServer> added, final List<UpstreamServer> removed)
    {
    }

    /**
     * A host name did not resolve; the servers it had before are kept.
     *
     * @param configuredAddr the {@code addr} as configured.
     * @param message        what the resolver said.
     */
    default void onResolveFailed(final String configuredAddr, final String message)
    {
    }
}
