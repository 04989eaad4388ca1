package io.tcpproxy.engine;

import io.tcpproxy.config.Config;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every worker shares: settings resolved once, the global open-connection count (for max_connections and
 * draining), the descriptor budget, the log, and the resolved upstream address (refreshed off the relay threads).
 */
final class EngineContext
{
    final Config config;
    /** {@code max_connections} as configured: a connection beyond it is accepted and closed at once (rejected). */
    final int maxConnections;
    /**
     * Connections the descriptor limit holds (two descriptors each, headroom kept): at this many, accepting pauses
     * and new clients wait in the backlog, as when accept itself fails with EMFILE.
     */
    final int descriptorCapConnections;
    final long connectTimeoutNs;
    final long idleTimeoutNs;
    final long busyPollNs;
    final Descriptors descriptors;
    final EngineLog log;
    /** Makes each connection's preamble handler; null when connections relay from their first byte. */
    final PreambleHandler.Factory preambles;
    /**
     * Judges the real client once a PROXY-protocol header named it (set before the workers start). Without such a
     * header the admission part judges the socket peer at accept.
     */
    AccessGate accessGate = AccessGate.OPEN;
    final AtomicInteger activeConnections = new AtomicInteger();
    /** Accept pauses of the acceptor thread ({@code accept_mode = "acceptor"}); workers count theirs in their ring. */
    final AtomicLong acceptorPauses = new AtomicLong();
    private volatile InetSocketAddress target;

    EngineContext(
        final Config config,
        final InetSocketAddress target,
        final Descriptors descriptors,
        final EngineLog log,
        final PreambleHandler.Factory preambles)
    {
        this.config = config;
        this.descriptors = descriptors;
        this.maxConnections = config.maxConnections();
        final int fit = descriptors.effectiveMaxConnections(config.maxConnections(), config.effectiveWorkers());
        // only a cap below max_connections pauses; at max_connections itself clients are rejected as configured
        this.descriptorCapConnections = fit < maxConnections ? fit : Integer.MAX_VALUE;
        this.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs());
        this.idleTimeoutNs = TimeUnit.SECONDS.toNanos(config.idleTimeoutSecs());
        this.busyPollNs = TimeUnit.MICROSECONDS.toNanos(config.busyPollUs());
        this.log = log;
        this.preambles = preambles;
        this.target = target;
    }

    /** @return the most connections open at once: {@code max_connections}, or fewer if descriptors run out first. */
    int effectiveMaxConnections()
    {
        return Math.min(maxConnections, descriptorCapConnections);
    }

    /**
     * @return whether a new client's two descriptors are available (otherwise accepting pauses).
     */
    boolean descriptorsForOneMore()
    {
        final int active = activeConnections.get();
        return active < descriptorCapConnections && descriptors.roomForConnection(active);
    }

    /** @return the upstream address, possibly unresolved if its name did not resolve at the last attempt. */
    InetSocketAddress target()
    {
        return target;
    }

    /** @param target a freshly resolved upstream address. */
    void target(final InetSocketAddress target)
    {
        this.target = target;
    }
}
