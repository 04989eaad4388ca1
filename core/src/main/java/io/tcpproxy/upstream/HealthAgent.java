package io.tcpproxy.upstream;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The pool's own thread (never a relay thread): runs the active checks on one selector, ends ejections whose time is
 * over, re-resolves host names and delivers the events workers queued. Each server is checked every
 * {@code interval_ms} on a fixed schedule; the first checks are staggered over one interval so the servers are not
 * all checked at once. {@link #doWork()} can be driven by hand with a fake clock.
 */
final class HealthAgent implements Runnable
{
    private static final long MAX_SLEEP_MS = 1000;
    private static final int READ_BUFFER_BYTES = 512;

    private final UpstreamPool pool;
    private final Ejections ejections;
    private final PoolAddresses addresses;
    private final HealthCheckSpec spec;
    private final LongSupplier nanoClock;
    private final UpstreamListener listener;
    private volatile Selector selector; // opened by the agent thread on first use, so an unstarted pool holds no fd
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final long intervalNs;
    private final long timeoutNs;
    private List<HealthProbe> probes = new ArrayList<>();
    private ServerSet probedSet;
    private long nowNs;
    private long nextDnsRefreshNs;
    private long checksStarted;
    private volatile long errors;
    private boolean resourcesClosed;
    private volatile boolean running = true;

    HealthAgent(
        final UpstreamPool pool, final HealthCheckSpec spec, final LongSupplier nanoClock,
        final UpstreamListener listener)
    {
        this.pool = pool;
        this.ejections = pool.ejections();
        this.addresses = pool.addresses();
        this.spec = spec;
        this.nanoClock = nanoClock;
        this.listener = listener;
        this.intervalNs = spec == null ? 0 : TimeUnit.MILLISECONDS.toNanos(spec.intervalMs());
        this.timeoutNs = spec == null ? 0 : TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
        this.nowNs = nanoClock.getAsLong();
        this.nextDnsRefreshNs = nowNs + addresses.dnsRefreshNs();
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                try
                {
                    doWork();
                }
                catch (final RuntimeException ex)
                {
                    // a failing listener or probe must not end health checking for the whole pool
                    errors++;
                }
                selector().select(readyHandler, sleepMs());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("health agent selector failed", ex);
        }
        finally
        {
            closeResources();
        }
    }

    /**
     * One duty cycle: read the clock, deliver queued events, end expired ejections, refresh DNS when due, start due
     * checks, handle ready sockets, time out late checks.
     *
     * @return how much was done (0: idle).
     */
    int doWork()
    {
        nowNs = nanoClock.getAsLong();
        int work = ejections.drainEvents();
        work += ejections.readmitExpired(pool.currentSet(), nowNs);
        if (nowNs - nextDnsRefreshNs >= 0)
        {
            nextDnsRefreshNs = nowNs + addresses.dnsRefreshNs();
            if (addresses.hasHostNames() && pool.refreshDns())
            {
                work++;
            }
        }
        if (spec == null)
        {
            return work;
        }
        syncProbes();
        try
        {
            final Selector selector = selector();
            for (final HealthProbe probe : probes)
            {
                if (probe.isDue(nowNs))
                {
                    checksStarted++;
                    finish(probe, probe.start(selector, nowNs, intervalNs, timeoutNs));
                    work++;
                }
            }
            work += selector.selectNow(readyHandler);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("health agent selector failed", ex);
        }
        for (final HealthProbe probe : probes)
        {
            if (probe.isLate(nowNs))
            {
                finish(probe, CheckResult.TIMEOUT);
                work++;
            }
        }
        return work;
    }

    void stop()
    {
        running = false;
        wakeUp();
    }

    void wakeUp()
    {
        final Selector current = selector;
        if (current != null)
        {
            current.wakeup();
        }
    }

    private Selector selector() throws IOException
    {
        Selector current = selector;
        if (current == null)
        {
            current = Selector.open();
            selector = current;
            if (!running)
            {
                current.wakeup(); // stop() may have run before the selector existed
            }
        }
        return current;
    }

    void closeResources()
    {
        if (resourcesClosed)
        {
            return;
        }
        resourcesClosed = true;
        for (final HealthProbe probe : probes)
        {
            probe.close();
        }
        final Selector current = selector;
        if (current == null)
        {
            return;
        }
        try
        {
            current.selectNow(); // frees the closed channels' descriptors
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        CloseHelper.quietClose(current);
    }

    /**
     * @return unexpected errors the agent survived.
     */
    long errors()
    {
        return errors;
    }

    /**
     * @return checks started since creation (agent thread; for tests).
     */
    long checksStarted()
    {
        return checksStarted;
    }

    private long sleepMs()
    {
        final long now = nanoClock.getAsLong();
        long wakeNs = Math.min(nextDnsRefreshNs, now + TimeUnit.MILLISECONDS.toNanos(MAX_SLEEP_MS));
        for (final HealthProbe probe : probes)
        {
            final long dueNs = probe.nextDueNs();
            wakeNs = dueNs - wakeNs < 0 ? dueNs : wakeNs;
        }
        for (final UpstreamServer server : pool.currentSet().servers)
        {
            if (server.isEjected() && server.ejectedUntilNs() - wakeNs < 0)
            {
                wakeNs = server.ejectedUntilNs();
            }
        }
        // select(0) would block forever: at least 1 ms
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeNs - now + 999_999));
    }

    private void syncProbes()
    {
        final ServerSet current = pool.currentSet();
        if (current == probedSet)
        {
            return;
        }
        final boolean first = probedSet == null;
        final UpstreamServer[] servers = current.servers;
        final List<HealthProbe> fresh = new ArrayList<>(servers.length);
        for (int i = 0; i < servers.length; i++)
        {
            HealthProbe probe = null;
            for (final HealthProbe old : probes)
            {
                if (old.server() == servers[i])
                {
                    probe = old;
                }
            }
            if (probe == null)
            {
                // spread the first checks over one interval: staggered at start, at a random point for a late joiner
                final long offsetNs = first ?
                    intervalNs * i / servers.length :
                    ThreadLocalRandom.current().nextLong(intervalNs);
                probe = new HealthProbe(servers[i], spec, nowNs + offsetNs, readBuffer);
            }
            fresh.add(probe);
        }
        for (final HealthProbe old : probes)
        {
            if (!fresh.contains(old))
            {
                old.close();
            }
        }
        probes = fresh;
        probedSet = current;
    }

    private void onReady(final SelectionKey key)
    {
        final HealthProbe probe = (HealthProbe)key.attachment();
        finish(probe, probe.onReady(key));
    }

    /**
     * Deliver a check's result, if it has one: the probe's verdict, the end of an ejection on success, and a line
     * when the verdict changed.
     */
    private void finish(final HealthProbe probe, final CheckResult result)
    {
        if (result == null)
        {
            return; // still in flight
        }
        final UpstreamServer server = probe.server();
        final boolean changed = probe.finish(result);
        if (result == CheckResult.OK)
        {
            ejections.onCheckSuccess(server, nowNs);
        }
        if (changed)
        {
            listener.onHealthChanged(server, probe.isUp(), probe.checksBehindVerdict(), result);
        }
    }
}
