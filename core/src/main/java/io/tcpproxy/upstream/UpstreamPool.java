package io.tcpproxy.upstream;

import java.util.List;
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
    private final LongSupplier nanoClock;
    private final LongAdder connectRetriesTotal; // shared with the pool of the same name a reload builds
    private final PoolAddresses addresses;
    private final Ejections ejections;
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
        this.nanoClock = nanoClock;
        final UpstreamListener guarded = new GuardedListener(listener);
        this.addresses = new PoolAddresses(spec, resolver, guarded);
        this.ejections = new Ejections(spec.passiveHealth(), nanoClock, guarded);
        this.set = new ServerSet(addresses.servers(reusable), spec.balance());
        this.agent = new HealthAgent(this, spec.healthCheck(), nanoClock, guarded);
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
        ejections.onConnectSuccess(server);
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
        if (ejections.onConnectFailure(server, reason, set))
        {
            agent.wakeUp(); // to tell the listener
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

    ServerSet currentSet()
    {
        return set;
    }

    Resolver resolver()
    {
        return addresses.resolver();
    }

    PoolAddresses addresses()
    {
        return addresses;
    }

    Ejections ejections()
    {
        return ejections;
    }

    LongSupplier nanoClock()
    {
        return nanoClock;
    }

    /**
     * Agent thread: resolve the host names again; added addresses join, removed ones are retired.
     *
     * @return true when the server set changed.
     */
    boolean refreshDns()
    {
        final UpstreamServer[] old = set.servers;
        final UpstreamServer[] fresh = addresses.refresh(old);
        if (fresh == null)
        {
            return false;
        }
        set = new ServerSet(fresh, spec.balance());
        addresses.announce(old, fresh);
        return true;
    }
}
