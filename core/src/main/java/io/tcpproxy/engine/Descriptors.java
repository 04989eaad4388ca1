package io.tcpproxy.engine;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's file-descriptor budget ({@code RLIMIT_NOFILE}): a relayed connection needs two descriptors, so the
 * effective {@code max_connections} is derived at start from what the limit can hold, and accepting pauses at it and
 * whenever fewer than two are free (an accepted client the proxy cannot connect upstream is worse than one left
 * waiting in the backlog).
 */
final class Descriptors
{
    static final int PER_CONNECTION = 2;
    /** Kept for everything that is not a relayed connection: selectors, the metrics endpoint and its clients, logs. */
    static final int BASE_HEADROOM = 64;
    static final int HEADROOM_PER_WORKER = 4;

    private final UnixOperatingSystemMXBean os;
    private final long limit;
    private final long openAtStart;

    private Descriptors(final UnixOperatingSystemMXBean os, final long limit, final long openAtStart)
    {
        this.os = os;
        this.limit = limit;
        this.openAtStart = openAtStart;
    }

    /** @return this process's budget, or an unlimited one where the platform does not say. */
    static Descriptors ofThisProcess()
    {
        final OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof UnixOperatingSystemMXBean)
        {
            final UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean)bean;
            final long limit = unix.getMaxFileDescriptorCount();
            final long open = unix.getOpenFileDescriptorCount();
            if (limit > 0 && open >= 0)
            {
                return new Descriptors(unix, limit, open);
            }
        }
        return new Descriptors(null, Long.MAX_VALUE, 0);
    }

    /** @return a budget of {@code limit} descriptors with {@code openAtStart} in use, not checked again later. */
    static Descriptors fixed(final long limit, final long openAtStart)
    {
        return new Descriptors(null, limit, openAtStart);
    }

    /** @return the descriptor limit ({@code Long.MAX_VALUE} when unknown). */
    long limit()
    {
        return limit;
    }

    /**
     * @param configuredMax {@code max_connections} as configured.
     * @param workers       worker threads.
     * @return the most connections the descriptor limit can hold, and never more than configured (at least 1).
     */
    int effectiveMaxConnections(final int configuredMax, final int workers)
    {
        final long spare = limit - openAtStart - BASE_HEADROOM - (long)HEADROOM_PER_WORKER * workers;
        final long fits = Math.max(1, spare / PER_CONNECTION);
        return (int)Math.min(configuredMax, fits);
    }

    /**
     * Cheap far from the limit; near it (where {@code activeConnections} would use up the headroom) asks the kernel.
     *
     * @param activeConnections open over all workers.
     * @return whether a new connection's two descriptors are free.
     */
    boolean roomForConnection(final int activeConnections)
    {
        if (os == null)
        {
            return true;
        }
        final long expectedOpen = openAtStart + (long)PER_CONNECTION * activeConnections + BASE_HEADROOM;
        if (expectedOpen < limit)
        {
            return true;
        }
        return limit - os.getOpenFileDescriptorCount() >= PER_CONNECTION;
    }
}
