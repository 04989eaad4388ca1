package io.tcpproxy.upstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
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
    private final HealthCheckSpec spec;
    private final LongSupplier nanoClock;
    private final UpstreamListener listener;
    private volatile Selector selector; // opened by the agent thread on first use, so an unstarted pool holds no fd
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final long intervalNs;
    private final long timeoutNs;
    private List<Probe> probes = new ArrayList<>();
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
        this.spec = spec;
        this.nanoClock = nanoClock;
        this.listener = listener;
        this.intervalNs = spec == null ? 0 : TimeUnit.MILLISECONDS.toNanos(spec.intervalMs());
        this.timeoutNs = spec == null ? 0 : TimeUnit.MILLISECONDS.toNanos(spec.timeoutMs());
        this.nowNs = nanoClock.getAsLong();
        this.nextDnsRefreshNs = nowNs + pool.dnsRefreshNs();
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
        int work = pool.drainEvents();
        work += pool.readmitExpired(nowNs);
        if (nowNs - nextDnsRefreshNs >= 0)
        {
            nextDnsRefreshNs = nowNs + pool.dnsRefreshNs();
            if (pool.hasHostNames() && pool.refreshDns())
            {
                work++;
            }
        }
        if (spec == null)
        {
            return work;
        }
        syncProbes();
        for (final Probe probe : probes)
        {
            if (probe.channel == null && nowNs - probe.nextCheckNs >= 0)
            {
                start(probe);
                work++;
            }
        }
        try
        {
            work += selector().selectNow(readyHandler);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("health agent selector failed", ex);
        }
        for (final Probe probe : probes)
        {
            if (probe.channel != null && nowNs - probe.deadlineNs >= 0)
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
        for (final Probe probe : probes)
        {
            UpstreamPool.closeQuietly(probe.channel);
            probe.channel = null;
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
        UpstreamPool.closeQuietly(current);
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
        for (final Probe probe : probes)
        {
            final long dueNs = probe.channel == null ? probe.nextCheckNs : probe.deadlineNs;
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
        final List<Probe> fresh = new ArrayList<>(servers.length);
        for (int i = 0; i < servers.length; i++)
        {
            Probe probe = null;
            for (final Probe old : probes)
            {
                if (old.server == servers[i])
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
                // a server a reload kept starts from its verdict: a down one needs rise successes to come back
                final HealthState state = new HealthState(spec.rise(), spec.fall(), servers[i].isHealthy());
                probe = new Probe(servers[i], target(servers[i]), state, nowNs + offsetNs, spec.sendBytes());
            }
            fresh.add(probe);
        }
        for (final Probe old : probes)
        {
            if (!fresh.contains(old))
            {
                UpstreamPool.closeQuietly(old.channel);
                old.channel = null;
            }
        }
        probes = fresh;
        probedSet = current;
    }

    private InetSocketAddress target(final UpstreamServer server)
    {
        return spec.port() == 0 ? server.address() : new InetSocketAddress(server.address().getAddress(), spec.port());
    }

    private void start(final Probe probe)
    {
        probe.nextCheckNs += intervalNs;
        if (nowNs - probe.nextCheckNs >= 0)
        {
            probe.nextCheckNs = nowNs + intervalNs; // fell behind (a slow DNS answer, a paused machine): no catch-up burst
        }
        probe.deadlineNs = nowNs + timeoutNs;
        checksStarted++;
        probe.expectMatchedBytes = 0;
        probe.send.clear();
        SocketChannel channel = null;
        try
        {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            probe.channel = channel;
            if (channel.connect(probe.target))
            {
                onConnected(probe);
            }
            else
            {
                probe.key = channel.register(selector(), SelectionKey.OP_CONNECT, probe);
            }
        }
        catch (final ConnectException ex)
        {
            probe.channel = channel;
            finish(probe, CheckResult.CONNECT_REFUSED);
        }
        catch (final IOException | RuntimeException ex)
        {
            probe.channel = channel;
            finish(probe, CheckResult.ERROR);
        }
    }

    private void onReady(final SelectionKey key)
    {
        final Probe probe = (Probe)key.attachment();
        if (probe.channel == null || !key.isValid())
        {
            return;
        }
        try
        {
            if (key.isConnectable())
            {
                if (probe.channel.finishConnect())
                {
                    onConnected(probe);
                }
            }
            else if (key.isWritable())
            {
                writeThenRead(probe);
            }
            else if (key.isReadable())
            {
                read(probe);
            }
        }
        catch (final ConnectException ex)
        {
            finish(probe, CheckResult.CONNECT_REFUSED);
        }
        catch (final IOException | RuntimeException ex)
        {
            finish(probe, CheckResult.ERROR);
        }
    }

    private void onConnected(final Probe probe) throws IOException
    {
        if (probe.send.hasRemaining())
        {
            writeThenRead(probe);
        }
        else
        {
            awaitReply(probe);
        }
    }

    private void writeThenRead(final Probe probe) throws IOException
    {
        probe.channel.write(probe.send);
        if (probe.send.hasRemaining())
        {
            interest(probe, SelectionKey.OP_WRITE);
        }
        else
        {
            awaitReply(probe);
        }
    }

    private void awaitReply(final Probe probe) throws IOException
    {
        if (spec.expectBytes().length == 0)
        {
            finish(probe, CheckResult.OK);
        }
        else
        {
            interest(probe, SelectionKey.OP_READ);
        }
    }

    private void read(final Probe probe) throws IOException
    {
        final byte[] expect = spec.expectBytes();
        readBuffer.clear();
        readBuffer.limit(Math.min(READ_BUFFER_BYTES, expect.length - probe.expectMatchedBytes));
        final int read = probe.channel.read(readBuffer);
        if (read < 0)
        {
            finish(probe, CheckResult.BAD_REPLY); // closed before the expected bytes arrived
            return;
        }
        for (int i = 0; i < read; i++)
        {
            if (readBuffer.get(i) != expect[probe.expectMatchedBytes++])
            {
                finish(probe, CheckResult.BAD_REPLY);
                return;
            }
        }
        if (probe.expectMatchedBytes == expect.length)
        {
            finish(probe, CheckResult.OK);
        }
    }

    private void interest(final Probe probe, final int ops) throws IOException
    {
        if (probe.key == null)
        {
            probe.key = probe.channel.register(selector(), ops, probe);
        }
        else
        {
            probe.key.interestOps(ops);
        }
    }

    private void finish(final Probe probe, final CheckResult result)
    {
        UpstreamPool.closeQuietly(probe.channel);
        probe.channel = null;
        probe.key = null;
        final UpstreamServer server = probe.server;
        server.countHealthCheck(result);
        final boolean changed = probe.state.record(result == CheckResult.OK);
        server.healthy(probe.state.up());
        if (result == CheckResult.OK)
        {
            pool.onCheckSuccess(server, nowNs);
        }
        if (changed)
        {
            final int checks = probe.state.up() ? probe.state.successesInARow() : probe.state.failuresInARow();
            listener.onHealthChanged(server, probe.state.up(), checks, result);
        }
    }

    /**
     * One server's check: its schedule, the socket of the check in flight (null between checks), its verdict.
     */
    private static final class Probe
    {
        final UpstreamServer server;
        final InetSocketAddress target;
        final HealthState state;
        final ByteBuffer send;
        long nextCheckNs;
        long deadlineNs;
        int expectMatchedBytes;
        SocketChannel channel;
        SelectionKey key;

        Probe(
            final UpstreamServer server,
            final InetSocketAddress target,
            final HealthState state,
            final long firstCheckNs,
            final byte[] sendBytes)
        {
            this.server = server;
            this.target = target;
            this.state = state;
            this.nextCheckNs = firstCheckNs;
            this.send = ByteBuffer.allocateDirect(sendBytes.length);
            this.send.put(sendBytes).flip();
        }
    }
}
