package io.tcpproxy.upstream;

import io.tcpproxy.config.HostPort;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A pool of upstream servers: picks a server for each new client, retries a failed connect on another one, and keeps
 * the servers' health (active checks, passive ejection, DNS) on an agent thread of its own.
 * <p>
 * How a worker uses it, all without locks on the common path and without allocating:
 * <pre>
 * ConnectAttempt attempt = pool.newAttempt();          // once per worker or per connection object, reused
 * attempt.reset(clientAddress);
 * UpstreamServer server = pool.select(attempt);        // null: attempt.tries() == 0 ? no_upstream : give up
 * ... connect to server.address() ...
 * pool.onConnectFailure(server, reason); select again   // or
 * pool.onConnectSuccess(server);
 * ... relay; server.addBytesSent(n) / addBytesReceived(n) once per duty cycle ...
 * pool.onConnectionClosed(server);
 * </pre>
 * {@link #start()} starts the health agent thread; {@link #close()} stops it.
 */
public final class UpstreamPool implements AutoCloseable
{
    private final PoolSpec spec;
    private final Resolver resolver;
    private final LongSupplier nanoClock;
    private final UpstreamListener listener;
    private final LongAdder connectRetriesTotal; // shared with the pool of the same name a reload builds
    private final Queue<Runnable> agentEvents = new ConcurrentLinkedQueue<>();
    private final Object ejectionLock = new Object();
    private final boolean[] isName;
    private final InetAddress[][] addresses; // per spec; written on the agent thread only after construction
    private final long ejectionNs;
    private final long maxEjectionNs;
    private final HealthAgent agent;
    private volatile ServerSet set;
    private Thread agentThread;

    private UpstreamPool(
        final PoolSpec spec,
        final Resolver resolver,
        final LongSupplier nanoClock,
        final UpstreamListener listener,
        final UpstreamServer[] reusable,
        final LongAdder connectRetriesTotal)
    {
        this.spec = spec;
        this.connectRetriesTotal = connectRetriesTotal;
        this.resolver = resolver;
        this.nanoClock = nanoClock;
        this.listener = new GuardedListener(listener);
        this.ejectionNs = TimeUnit.SECONDS.toNanos(spec.passiveHealth().ejectionSecs());
        this.maxEjectionNs = TimeUnit.SECONDS.toNanos(PassiveHealthSpec.MAX_EJECTION_SECS);
        final List<ServerSpec> specs = spec.servers();
        this.isName = new boolean[specs.size()];
        this.addresses = new InetAddress[specs.size()][];
        for (int i = 0; i < specs.size(); i++)
        {
            final String host = specs.get(i).hostPort().host();
            isName[i] = !isLiteralIp(host);
            addresses[i] = new InetAddress[0];
            try
            {
                // a literal is parsed, never looked up
                addresses[i] = isName[i] ? resolve(host) : new InetAddress[] {InetAddress.getByName(host)};
            }
            catch (final UnknownHostException ex)
            {
                this.listener.onResolveFailed(specs.get(i).addr(), String.valueOf(ex.getMessage()));
            }
        }
        this.set = new ServerSet(buildServers(reusable, null), spec.balance());
        this.agent = new HealthAgent(this, spec.healthCheck(), nanoClock, this.listener);
    }

    /**
     * Build a pool, resolving host names now (call this at startup, not on a relay thread).
     *
     * @param spec      the settings.
     * @param resolver  resolves host names ({@link Resolver#SYSTEM} in production).
     * @param nanoClock monotonic time in ns ({@code System::nanoTime} in production).
     * @param listener  told of every state change, on the health agent thread.
     * @return the pool, its agent not started yet.
     */
    public static UpstreamPool create(
        final PoolSpec spec, final Resolver resolver, final LongSupplier nanoClock, final UpstreamListener listener)
    {
        if (spec == null || resolver == null || nanoClock == null || listener == null)
        {
            throw new IllegalArgumentException("spec, resolver, clock and listener are required");
        }
        return new UpstreamPool(spec, resolver, nanoClock, listener, new UpstreamServer[0], new LongAdder());
    }

    /**
     * A pool of a reload: a server of {@code reusable} whose configured address and resolved address stay is taken
     * over (health, admin state, counts and counters), with its settings from {@code spec}; the retry count goes on
     * from {@code previous} (the pool of the same name, or null).
     */
    static UpstreamPool rebuild(
        final PoolSpec spec,
        final Resolver resolver,
        final LongSupplier nanoClock,
        final UpstreamListener listener,
        final UpstreamServer[] reusable,
        final UpstreamPool previous)
    {
        return new UpstreamPool(spec, resolver, nanoClock, listener, reusable,
            previous == null ? new LongAdder() : previous.connectRetriesTotal);
    }

    /**
     * Build a pool with the system resolver and clock.
     *
     * @param spec     the settings.
     * @param listener told of every state change.
     * @return the pool, its agent not started yet.
     */
    public static UpstreamPool create(final PoolSpec spec, final UpstreamListener listener)
    {
        return create(spec, Resolver.SYSTEM, System::nanoTime, listener);
    }

    /** @return the settings this pool was built from. */
    public PoolSpec spec()
    {
        return spec;
    }

    /** @return the pool's name. */
    public String name()
    {
        return spec.name();
    }

    /**
     * @return the servers that take new clients when healthy, in configuration order (a DNS change may swap the
     * list; servers DNS removed are no longer listed).
     */
    public List<UpstreamServer> servers()
    {
        return List.of(set.servers);
    }

    /** @return connects retried on another server since start ({@code tcp_proxy_upstream_connect_retries_total}). */
    public long connectRetriesTotal()
    {
        return connectRetriesTotal.sum();
    }

    /**
     * @return a new attempt holder for one worker's clients; reuse it with {@link ConnectAttempt#reset}.
     */
    public ConnectAttempt newAttempt()
    {
        return new ConnectAttempt(spec.connectAttempts());
    }

    /**
     * Choose a server for the client's next try and reserve a connection slot on it: a server that is up, takes
     * clients (admin state), is not ejected, is under its {@code max_connections} and that this client has not
     * tried yet; backup servers only while no other server is up. Allocates nothing.
     *
     * @param attempt the client's attempt, after {@link ConnectAttempt#reset}.
     * @return the server, or null when no server can take the client or {@code connect_attempts} are spent
     * ({@code attempt.tries() == 0} then means close with {@code no_upstream}).
     */
    public UpstreamServer select(final ConnectAttempt attempt)
    {
        return select(attempt, nanoClock.getAsLong());
    }

    /**
     * {@link #select(ConnectAttempt)} with the caller's cached time, for a worker that read its clock this duty
     * cycle.
     *
     * @param attempt the client's attempt, after {@link ConnectAttempt#reset}.
     * @param nowNs   the time on the pool's clock ({@code System.nanoTime()} in production).
     * @return the server, or null as for {@link #select(ConnectAttempt)}.
     */
    public UpstreamServer select(final ConnectAttempt attempt, final long nowNs)
    {
        if (!attempt.triesLeft())
        {
            return null;
        }
        final ServerSet servers = set;
        final boolean backupTier = servers.hasBackups && !servers.primaryAvailable(attempt, nowNs);
        while (true)
        {
            final UpstreamServer server = servers.balancer.pick(attempt, backupTier, nowNs);
            if (server == null)
            {
                return null;
            }
            if (server.tryAcquire())
            {
                if (attempt.tries() > 0)
                {
                    connectRetriesTotal.increment();
                }
                attempt.chose(server);
                return server;
            }
            if (!attempt.canSkipMore())
            {
                return null; // other workers keep filling the servers we pick: give up rather than spin
            }
            attempt.skip(server); // another worker took its last slot since the pick
        }
    }

    /**
     * The connect to a selected server succeeded: count it and reset its passive-health failures.
     *
     * @param server as returned by {@link #select}.
     */
    public void onConnectSuccess(final UpstreamServer server)
    {
        server.countConnection();
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
     * The connect to a selected server failed: release its slot, count the reason and maybe eject it. Call
     * {@link #select} again to retry elsewhere.
     *
     * @param server as returned by {@link #select}.
     * @param reason why.
     */
    public void onConnectFailure(final UpstreamServer server, final ConnectFailure reason)
    {
        server.release();
        server.countConnectFailure(reason);
        final int threshold = spec.passiveHealth().consecutiveFailures();
        if (threshold == 0)
        {
            return;
        }
        final int failures = server.consecutiveConnectFailures.incrementAndGet();
        if (failures >= threshold)
        {
            maybeEject(server, failures, reason);
        }
    }

    /**
     * A connection to this server (after {@link #onConnectSuccess}) ended, for whatever reason.
     *
     * @param server the connection's server.
     */
    public void onConnectionClosed(final UpstreamServer server)
    {
        server.release();
    }

    /**
     * Start the health agent thread (active checks, ejection expiry, DNS refresh).
     */
    public synchronized void start()
    {
        if (agentThread != null)
        {
            throw new IllegalStateException("pool " + name() + " already started");
        }
        agentThread = new Thread(agent, "tcp-proxy-health-" + name());
        agentThread.setDaemon(true);
        agentThread.start();
    }

    /**
     * Stop the health agent and release its sockets; the servers' figures stay readable.
     */
    @Override
    public synchronized void close()
    {
        agent.stop();
        if (agentThread != null)
        {
            try
            {
                agentThread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        else
        {
            agent.closeResources();
        }
    }

    HealthAgent agent()
    {
        return agent;
    }

    UpstreamListener listener()
    {
        return listener;
    }

    ServerSet currentSet()
    {
        return set;
    }

    long nowNs()
    {
        return nanoClock.getAsLong();
    }

    Resolver resolver()
    {
        return resolver;
    }

    LongSupplier nanoClock()
    {
        return nanoClock;
    }

    private void maybeEject(final UpstreamServer server, final int failures, final ConnectFailure reason)
    {
        final long nowNs = nanoClock.getAsLong();
        final long durationNs;
        synchronized (ejectionLock)
        {
            if (!server.isAvailable(nowNs) || server.isRetired())
            {
                return; // already out
            }
            if (set.availableOtherThan(server, nowNs) == 0)
            {
                return; // never eject the last server that is up: a bad server beats no server
            }
            durationNs = Math.min(maxEjectionNs, ejectionNs << Math.min(server.ejectionsInARow, 16));
            server.ejectionsInARow++;
            server.eject(nowNs + durationNs);
            server.consecutiveConnectFailures.set(0);
        }
        final long durationMs = TimeUnit.NANOSECONDS.toMillis(durationNs);
        agentEvents.offer(() -> listener.onEjected(server, durationMs, failures, reason));
        agent.wakeUp();
    }

    /**
     * Agent thread: deliver events queued by workers.
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
     * Agent thread: end ejections whose time is over.
     */
    int readmitExpired(final long nowNs)
    {
        int count = 0;
        for (final UpstreamServer server : set.servers)
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

    /**
     * Agent thread: resolve the host names again; added addresses join, removed ones are retired.
     *
     * @return true when the server set changed.
     */
    boolean refreshDns()
    {
        final List<ServerSpec> specs = spec.servers();
        boolean changed = false;
        final boolean[] specChanged = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++)
        {
            if (!isName[i])
            {
                continue;
            }
            try
            {
                final InetAddress[] fresh = resolve(specs.get(i).hostPort().host());
                if (!sameAddresses(fresh, addresses[i]))
                {
                    addresses[i] = fresh;
                    specChanged[i] = true;
                    changed = true;
                }
            }
            catch (final UnknownHostException ex)
            {
                listener.onResolveFailed(specs.get(i).addr(), String.valueOf(ex.getMessage()));
            }
        }
        if (!changed)
        {
            return false;
        }
        final UpstreamServer[] old = set.servers;
        final UpstreamServer[] fresh = buildServers(old, specChanged);
        set = new ServerSet(fresh, spec.balance());
        for (int i = 0; i < specs.size(); i++)
        {
            if (specChanged[i])
            {
                final String addr = specs.get(i).addr();
                final List<UpstreamServer> added = new ArrayList<>();
                final List<UpstreamServer> removed = new ArrayList<>();
                for (final UpstreamServer server : fresh)
                {
                    if (server.configuredAddr().equals(addr) && !contains(old, server))
                    {
                        added.add(server);
                    }
                }
                for (final UpstreamServer server : old)
                {
                    if (server.configuredAddr().equals(addr) && !contains(fresh, server))
                    {
                        server.retire();
                        removed.add(server);
                    }
                }
                listener.onServersChanged(addr, added, removed);
            }
        }
        return true;
    }

    long dnsRefreshNs()
    {
        return TimeUnit.SECONDS.toNanos(spec.dnsRefreshSecs());
    }

    boolean hasHostNames()
    {
        for (final boolean name : isName)
        {
            if (name)
            {
                return true;
            }
        }
        return false;
    }

    private InetAddress[] resolve(final String host) throws UnknownHostException
    {
        final InetAddress[] resolved = resolver.resolve(host);
        if (resolved == null || resolved.length == 0)
        {
            throw new UnknownHostException(host + ": no address");
        }
        return resolved;
    }

    private UpstreamServer[] buildServers(final UpstreamServer[] existing, final boolean[] specChanged)
    {
        final List<ServerSpec> specs = spec.servers();
        final List<UpstreamServer> servers = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++)
        {
            final ServerSpec serverSpec = specs.get(i);
            final HostPort hostPort = serverSpec.hostPort();
            for (final InetAddress address : distinct(addresses[i]))
            {
                final InetSocketAddress socketAddress = new InetSocketAddress(address, hostPort.port());
                UpstreamServer server = find(existing, serverSpec.addr(), socketAddress);
                if (server != null)
                {
                    server.reconfigure(serverSpec);
                }
                else
                {
                    final String label = isName[i] ? serverSpec.addr() + "/" + ipText(address) : serverSpec.addr();
                    server = new UpstreamServer(label, serverSpec.addr(), socketAddress, serverSpec.weight(),
                        serverSpec.backup(), serverSpec.maxConnections(), spec.name());
                }
                servers.add(server);
            }
        }
        return servers.toArray(new UpstreamServer[0]);
    }

    private static List<InetAddress> distinct(final InetAddress[] addresses)
    {
        final List<InetAddress> result = new ArrayList<>();
        for (final InetAddress address : addresses)
        {
            if (!result.contains(address))
            {
                result.add(address);
            }
        }
        return result;
    }

    private static UpstreamServer find(
        final UpstreamServer[] servers, final String configuredAddr, final InetSocketAddress address)
    {
        for (final UpstreamServer server : servers)
        {
            if (server.configuredAddr().equals(configuredAddr) && server.address().equals(address))
            {
                return server;
            }
        }
        return null;
    }

    private static boolean contains(final UpstreamServer[] servers, final UpstreamServer wanted)
    {
        for (final UpstreamServer server : servers)
        {
            if (server == wanted)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddresses(final InetAddress[] a, final InetAddress[] b)
    {
        final List<InetAddress> left = distinct(a);
        final List<InetAddress> right = distinct(b);
        return left.size() == right.size() && left.containsAll(right);
    }

    static String ipText(final InetAddress address)
    {
        final String text = address.getHostAddress();
        return address instanceof Inet6Address ? "[" + compressIpv6(text) + "]" : text;
    }

    private static String compressIpv6(final String text)
    {
        final int percent = text.indexOf('%');
        final String plain = percent >= 0 ? text.substring(0, percent) : text;
        final String[] groups = plain.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++)
        {
            int j = i;
            while (j < groups.length && groups[j].equals("0"))
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0)
        {
            return plain;
        }
        final String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        final String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }

    static boolean isLiteralIp(final String host)
    {
        if (host.indexOf(':') >= 0)
        {
            return true;
        }
        final String[] parts = host.split("\\.", -1);
        if (parts.length != 4)
        {
            return false;
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit))
            {
                return false;
            }
        }
        return true;
    }

    static void closeQuietly(final java.io.Closeable closeable)
    {
        if (closeable != null)
        {
            try
            {
                closeable.close();
            }
            catch (final IOException ignore)
            {
                // closing a probe socket: nothing to do about a failure
            }
        }
    }
}
