package io.tcpproxy.engine.admission;

import io.tcpproxy.engine.relay.Connection;
import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.LongSupplier;

/**
 * The process's file-descriptor budget ({@code RLIMIT_NOFILE}): a relayed connection needs two descriptors, so the
 * effective {@code max_connections} is derived at start from what the limit can hold, and accepting pauses at it and
 * whenever fewer than two are free (an accepted client the proxy cannot connect upstream is worse than one left
 * waiting in the backlog).
 *
 * <p>Near the limit the count of connections is no measure of the descriptors in use: a closed registered channel
 * keeps its descriptor until its selector's next select, a client handed to another worker has no upstream socket
 * yet, and other threads (the HTTP responder, the health agent, the JVM) open their own. So a client is accepted only
 * against a {@linkplain #tryReserve reservation}: two descriptors counted as taken from before {@code accept} until
 * its upstream socket is open, checked (under one lock, for every thread that accepts) against the descriptors the
 * kernel reports open.
 */
public final class Descriptors
{
    static final int PER_CONNECTION = 2;
    /** Kept for everything that is not a relayed connection: selectors, the metrics endpoint and its clients, logs. */
    static final int BASE_HEADROOM = 64;
    static final int HEADROOM_PER_WORKER = 4;
    /**
     * Left free after a reservation when counting what the kernel reports, for whatever another thread opens between
     * the count and the upstream socket (a scrape, a health check, a DNS lookup).
     */
    static final int SPARE = 16;

    private final LongSupplier openNow;
    private final long limit;
    private final long openAtStart;
    /**
     * At least the descriptors open now, leaving out those other threads opened since it was last counted (which
     * {@link #SPARE} and the headroom of {@link #effectiveMaxConnections} leave room for).
     */
    private long openBound;
    /** Clients accepted (or about to be) whose upstream socket is not open yet: two descriptors each. */
    private int reserved;

    private Descriptors(final LongSupplier openNow, final long limit, final long openAtStart)
    {
        this.openNow = openNow;
        this.limit = limit;
        this.openAtStart = openAtStart;
        // where the kernel can be asked, the first reservation asks it: much opens between the start and then
        this.openBound = openNow == null ? openAtStart : limit;
    }

    /** @return this process's budget, or an unlimited one where the platform does not say. */
    public static Descriptors ofThisProcess()
    {
        final OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof UnixOperatingSystemMXBean)
        {
            final UnixOperatingSystemMXBean unix = (UnixOperatingSystemMXBean)bean;
            final long limit = unix.getMaxFileDescriptorCount();
            final long open = unix.getOpenFileDescriptorCount();
            if (limit > 0 && open >= 0)
            {
                return new Descriptors(unix::getOpenFileDescriptorCount, limit, open);
            }
        }
        return new Descriptors(null, Long.MAX_VALUE, 0);
    }

    /** @return a budget of {@code limit} descriptors with {@code openAtStart} in use, not checked again later. */
    public static Descriptors fixed(final long limit, final long openAtStart)
    {
        return new Descriptors(null, limit, openAtStart);
    }

    /** @return a budget of {@code limit} descriptors whose count of those open is asked of {@code openNow}. */
    static Descriptors counted(final long limit, final LongSupplier openNow)
    {
        return new Descriptors(openNow, limit, openNow.getAsLong());
    }

    /** @return the descriptor limit ({@code Long.MAX_VALUE} when unknown). */
    public long limit()
    {
        return limit;
    }

    /**
     * @param configuredMax {@code max_connections} as configured.
     * @param workers       worker threads.
     * @return the most connections the descriptor limit can hold, and never more than configured (at least 1).
     */
    public int effectiveMaxConnections(final int configuredMax, final int workers)
    {
        final long spare = limit - openAtStart - BASE_HEADROOM - (long)HEADROOM_PER_WORKER * workers;
        final long fits = Math.max(1, spare / PER_CONNECTION);
        return (int)Math.min(configuredMax, fits);
    }

    /**
     * Reserve a new client's two descriptors before accepting it; the reservation lasts until its upstream socket is
     * open ({@link #release}). Reservations are weighed against an upper bound of the descriptors open: the kernel's
     * count when last asked, plus two for every reservation since (descriptors freed since are not subtracted). Only
     * when that bound leaves no room is the kernel asked again, so far from the limit accepting costs no system call,
     * and near it nothing the connection count cannot see takes an upstream's descriptor: two workers accepting at
     * once, a client still on its way to another worker, a closed channel whose descriptor its selector has not let
     * go of yet, another thread's sockets.
     *
     * @return whether the two descriptors are reserved (otherwise accepting pauses and the client stays in the
     *     backlog).
     */
    public synchronized boolean tryReserve()
    {
        if (openNow != null && limit - openBound - SPARE < PER_CONNECTION)
        {
            // count again: what is open now, and what the clients reserved for will still open
            openBound = openNow.getAsLong() + (long)PER_CONNECTION * reserved;
            if (limit - openBound - SPARE < PER_CONNECTION)
            {
                return false;
            }
        }
        openBound += PER_CONNECTION;
        reserved++;
        return true;
    }

    /** A reservation's client was not accepted or was refused, or its upstream socket is open. */
    synchronized void release()
    {
        reserved--; // the bound keeps its two: the descriptors are open now, or freed and found so at the next count
    }

    /** The connection's reservation (if it still holds one) ends: its upstream socket is open, or it closed. */
    public void releaseFor(final Connection connection)
    {
        if (connection.descriptorsReserved)
        {
            connection.descriptorsReserved = false;
            release();
        }
    }

    /** @return clients reserved for whose upstream socket is not open yet. */
    public synchronized int reserved()
    {
        return reserved;
    }
}
