package io.tcpproxy.engine;

import io.tcpproxy.config.Config;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every worker shares: settings resolved once, the global open-connection count (for max_connections and
 * draining), and the resolved upstream address (refreshed off the relay threads).
 */
final class EngineContext
{
    final Config config;
    final int maxConnections;
    final long connectTimeoutNs;
    final long idleTimeoutNs;
    final long busyPollNs;
    final AtomicInteger activeConnections = new AtomicInteger();
    /** Accept pauses of the acceptor thread ({@code accept_mode = "acceptor"}); workers count theirs in their ring. */
    final AtomicLong acceptorPauses = new AtomicLong();
    private volatile InetSocketAddress target;

    EngineContext(final Config config, final InetSocketAddress target)
    {
        this.config = config;
        this.maxConnections = config.maxConnections();
        this.connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs());
        this.idleTimeoutNs = TimeUnit.SECONDS.toNanos(config.idleTimeoutSecs());
        this.busyPollNs = TimeUnit.MICROSECONDS.toNanos(config.busyPollUs());
        this.target = target;
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
