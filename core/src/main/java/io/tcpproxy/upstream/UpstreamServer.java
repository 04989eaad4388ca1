package io.tcpproxy.upstream;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server of a pool: its settings and the state every worker shares with the health agent. Everything here is
 * read without locks: counts are atomics or {@link LongAdder}s, states are volatile fields. Metrics read the totals
 * directly; they never go down.
 */
public final class UpstreamServer
{
    private final String label;
    private final InetSocketAddress address;
    private final String pool;
    // the entry as configured; a reload may swap it for one of the same addr: the server keeps its state and counters
    private volatile ServerSpec settings;

    private final AtomicInteger activeConnections = new AtomicInteger();
    private final LongAdder connectionsTotal = new LongAdder();
    private final LongAdder bytesSentTotal = new LongAdder();
    private final LongAdder bytesReceivedTotal = new LongAdder();
    private final LongAdder[] connectFailuresTotal = adders(ConnectFailure.all().length);
    private final LongAdder[] healthChecksTotal = adders(CheckResult.all().length);

    private volatile boolean healthy = true;
    private volatile AdminState adminState = AdminState.ENABLED;
    private volatile boolean ejected;
    private volatile long ejectedUntilNs;
    private volatile boolean retired;

    // passive health: failures counted by any worker; the ejection decision is taken under the pool's lock
    final AtomicInteger consecutiveConnectFailures = new AtomicInteger();
    volatile int ejectionsInARow;

    UpstreamServer(final String label, final ServerSpec settings, final InetSocketAddress address, final String pool)
    {
        this.label = label;
        this.settings = settings;
        this.address = address;
        this.pool = pool;
    }

    private static LongAdder[] adders(final int count)
    {
        final LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++)
        {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /**
     * @return the {@code upstream} label: {@code HOST:PORT} as configured, or {@code NAME:PORT/IP} for a server
     * that a host name resolved to.
     */
    public String label()
    {
        return label;
    }

    /** @return the {@code addr} this server came from, as configured. */
    public String configuredAddr()
    {
        return settings.addr();
    }

    /** @return the resolved address connected to. */
    public InetSocketAddress address()
    {
        return address;
    }

    /** @return {@link ServerSpec#weight()} as configured now. */
    public int weight()
    {
        return settings.weight();
    }

    /** @return {@link ServerSpec#backup()} as configured now. */
    public boolean backup()
    {
        return settings.backup();
    }

    /** @return {@link ServerSpec#maxConnections()} as configured now. */
    public int maxConnections()
    {
        return settings.maxConnections();
    }

    /** @return the pool's name. */
    public String pool()
    {
        return pool;
    }

    /** @return connections open or being opened to this server, across all workers. */
    public int activeConnections()
    {
        return activeConnections.get();
    }

    /** @return connections established to this server since start. */
    public long connectionsTotal()
    {
        return connectionsTotal.sum();
    }

    /** @return bytes sent to this server (client to upstream) since start. */
    public long bytesSentTotal()
    {
        return bytesSentTotal.sum();
    }

    /** @return bytes received from this server (upstream to client) since start. */
    public long bytesReceivedTotal()
    {
        return bytesReceivedTotal.sum();
    }

    /**
     * @param reason a failure reason.
     * @return failed connects for that reason since start.
     */
    public long connectFailuresTotal(final ConnectFailure reason)
    {
        return connectFailuresTotal[reason.ordinal()].sum();
    }

    /**
     * @param result a check result.
     * @return active health checks with that result since start.
     */
    public long healthChecksTotal(final CheckResult result)
    {
        return healthChecksTotal[result.ordinal()].sum();
    }

    /**
     * Count bytes relayed to this server. Workers should sum locally and add once per duty cycle.
     *
     * @param bytes sent to the server.
     */
    public void addBytesSent(final long bytes)
    {
        bytesSentTotal.add(bytes);
    }

    /**
     * Count bytes relayed from this server. Workers should sum locally and add once per duty cycle.
     *
     * @param bytes received from the server.
     */
    public void addBytesReceived(final long bytes)
    {
        bytesReceivedTotal.add(bytes);
    }

    /**
     * @return the {@code tcp_proxy_upstream_up} value: healthy by active checks and not ejected by passive health.
     */
    public boolean isUp()
    {
        return healthy && !ejected;
    }

    /** @return the active checks' verdict (true while no checks are configured). */
    public boolean isHealthy()
    {
        return healthy;
    }

    /** @return true while passive health keeps this server out. */
    public boolean isEjected()
    {
        return ejected;
    }

    /** @return what an operator asked of this server. */
    public AdminState adminState()
    {
        return adminState;
    }

    /**
     * Take the server out of rotation or put it back (the admin API); its open connections are not touched.
     *
     * @param state the new state.
     */
    public void adminState(final AdminState state)
    {
        if (state == null)
        {
            throw new IllegalArgumentException("admin state must not be null");
        }
        adminState = state;
    }

    /** @return true once DNS no longer returns this address: it takes no new clients. */
    public boolean isRetired()
    {
        return retired;
    }

    @Override
    public String toString()
    {
        return label;
    }

    boolean isAvailable(final long nowNs)
    {
        return healthy && !retired && adminState == AdminState.ENABLED && (!ejected || nowNs - ejectedUntilNs >= 0);
    }

    boolean isFull()
    {
        final int maxConnections = settings.maxConnections();
        return maxConnections != 0 && activeConnections.get() >= maxConnections;
    }

    /**
     * Reserve a connection slot, respecting {@code max_connections} against other workers.
     */
    boolean tryAcquire()
    {
        final int maxConnections = settings.maxConnections();
        if (maxConnections == 0)
        {
            activeConnections.incrementAndGet();
            return true;
        }
        while (true)
        {
            final int active = activeConnections.get();
            if (active >= maxConnections)
            {
                return false;
            }
            if (activeConnections.compareAndSet(active, active + 1))
            {
                return true;
            }
        }
    }

    void release()
    {
        activeConnections.decrementAndGet();
    }

    void countConnection()
    {
        connectionsTotal.increment();
    }

    void countConnectFailure(final ConnectFailure reason)
    {
        connectFailuresTotal[reason.ordinal()].increment();
    }

    void countHealthCheck(final CheckResult result)
    {
        healthChecksTotal[result.ordinal()].increment();
    }

    void healthy(final boolean healthy)
    {
        this.healthy = healthy;
    }

    void eject(final long untilNs)
    {
        ejectedUntilNs = untilNs;
        ejected = true;
    }

    void readmit()
    {
        ejected = false;
    }

    long ejectedUntilNs()
    {
        return ejectedUntilNs;
    }

    void retire()
    {
        retired = true;
    }

    /** @return the configured entry this server follows now. */
    ServerSpec settings()
    {
        return settings;
    }

    /** A reload kept this server (or brought it back): it takes new clients again with these settings. */
    void reconfigure(final ServerSpec settings)
    {
        this.settings = settings;
        retired = false;
    }
}
