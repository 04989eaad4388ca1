package io.tcpproxy.upstream;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A pool's passive health: workers count a server's failed connects in a row; at {@code consecutive_failures} it is
 * ejected for {@code ejection_secs}, doubled on each repeat up to {@link PassiveHealthSpec#MAX_EJECTION_SECS}, and
 * readmitted when that time is over (agent thread) or on a successful active check. The last server that is up is
 * never ejected. Decisions are taken under one lock per pool, off the common path; the listener hears of ejections
 * on the agent thread.
 */
final class Ejections
{
    private final int failureThreshold;
    private final long ejectionNs;
    private final long maxEjectionNs;
    private final LongSupplier nanoClock;
    private final UpstreamListener listener;
    private final Queue<Runnable> agentEvents = new ConcurrentLinkedQueue<>();
    private final Object ejectionLock = new Object();

    Ejections(final PassiveHealthSpec spec, final LongSupplier nanoClock, final UpstreamListener listener)
    {
        this.failureThreshold = spec.consecutiveFailures();
        this.ejectionNs = TimeUnit.SECONDS.toNanos(spec.ejectionSecs());
        this.maxEjectionNs = TimeUnit.SECONDS.toNanos(PassiveHealthSpec.MAX_EJECTION_SECS);
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /**
     * A worker connected to the server: its failures in a row, and the doubling of its ejections, start over.
     */
    void onConnectSuccess(final UpstreamServer server)
    {
        if (server.consecutiveConnectFailures.get() != 0)
        {
            server.consecutiveConnectFailures.set(0);
        }
        if (server.ejectionsInARow != 0)
        {
            synchronized (ejectionLock)
            {
                server.ejectionsInARow = 0;
            }
        }
    }

    /**
     * A worker's connect to the server failed: count it and eject the server at the threshold.
     *
     * @param servers the pool's servers in force (to keep the last one that is up).
     * @return true when the server was ejected: the agent has an event to deliver.
     */
    boolean onConnectFailure(final UpstreamServer server, final ConnectFailure reason, final ServerSet servers)
    {
        if (failureThreshold == 0)
        {
            return false;
        }
        final int failures = server.consecutiveConnectFailures.incrementAndGet();
        return failures >= failureThreshold && maybeEject(server, failures, reason, servers);
    }

    private boolean maybeEject(
        final UpstreamServer server, final int failures, final ConnectFailure reason, final ServerSet servers)
    {
        final long nowNs = nanoClock.getAsLong();
        final long durationNs;
        synchronized (ejectionLock)
        {
            if (!server.isAvailable(nowNs) || server.isRetired())
            {
                return false; // already out
            }
            if (servers.availableOtherThan(server, nowNs) == 0)
            {
                return false; // never eject the last server that is up: a bad server beats no server
            }
            durationNs = Math.min(maxEjectionNs, ejectionNs << Math.min(server.ejectionsInARow, 16));
            server.ejectionsInARow++;
            server.eject(nowNs + durationNs);
            server.consecutiveConnectFailures.set(0);
        }
        final long durationMs = TimeUnit.NANOSECONDS.toMillis(durationNs);
        agentEvents.offer(() -> listener.onEjected(server, durationMs, failures, reason));
        return true;
    }

    /**
     * Agent thread: deliver the events workers queued.
     *
     * @return how many.
     */
    int drainEvents()
    {
        int count = 0;
        Runnable event;
        while ((event = agentEvents.poll()) != null)
        {
            event.run();
            count++;
        }
        return count;
    }

    /**
     * Agent thread: end the ejections whose time is over.
     *
     * @return how many.
     */
    int readmitExpired(final ServerSet servers, final long nowNs)
    {
        int count = 0;
        for (final UpstreamServer server : servers.servers)
        {
            if (server.isEjected() && nowNs - server.ejectedUntilNs() >= 0 && readmit(server, nowNs, false))
            {
                count++;
            }
        }
        return count;
    }

    /**
     * Agent thread: an active check succeeded, which also ends an ejection.
     */
    void onCheckSuccess(final UpstreamServer server, final long nowNs)
    {
        if (server.isEjected())
        {
            readmit(server, nowNs, true);
        }
    }

    private boolean readmit(final UpstreamServer server, final long nowNs, final boolean byActiveCheck)
    {
        synchronized (ejectionLock)
        {
            if (!server.isEjected() || (!byActiveCheck && nowNs - server.ejectedUntilNs() < 0))
            {
                return false;
            }
            server.readmit();
            server.consecutiveConnectFailures.set(0);
        }
        listener.onReadmitted(server, byActiveCheck);
        return true;
    }
}
