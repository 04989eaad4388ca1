package io.tcpproxy.engine;

import io.tcpproxy.config.Config;

import java.util.concurrent.TimeUnit;

/**
 * Everything a reload may change about how a new connection is served, frozen in one immutable object. The engine
 * builds one per applied configuration and hands it to every worker through its {@link CommandQueue}
 * ({@link WorkerCommand.SwapRouting}); a connection takes the worker's table when it is admitted and keeps it for
 * its whole life ({@link Connection#routing}), so it never sees a mix of two configurations.
 * <p>
 * Wave-2 features add their reloadable state here as further final fields built in {@link #of(Config)}: the
 * upstream pools (servers, weights, balancing), the SNI routes and the access lists / per-client limits.
 */
final class RoutingTable
{
    /** The configuration this table was built from (its reloadable keys are in force). */
    final Config config;
    /** {@code max_connections}: a connection beyond it is accepted and closed at once (rejected). */
    final int maxConnections;
    final long connectTimeoutNs;
    /** {@code idle_timeout_secs} in ns, 0 = never. */
    final long idleTimeoutNs;
    /** Who may connect: allow/deny lists and per-client limits; {@link AccessGate#OPEN} until the access wiring. */
    final AccessGate access;

    private RoutingTable(final Config config, final AccessGate access)
    {
        this.config = config;
        this.maxConnections = config.maxConnections();
        this.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs());
        this.idleTimeoutNs = TimeUnit.SECONDS.toNanos(config.idleTimeoutSecs());
        this.access = access;
    }

    /**
     * @param config validated settings.
     * @return the table of the settings' reloadable parts.
     */
    static RoutingTable of(final Config config)
    {
        return new RoutingTable(config, AccessGate.OPEN);
    }
}
