package io.tcpproxy.engine.upstream;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.HealthCheck;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.config.PassiveHealth;
import io.tcpproxy.config.Pool;
import io.tcpproxy.config.Upstream;
import io.tcpproxy.engine.EngineLog;
import io.tcpproxy.upstream.Balance;
import io.tcpproxy.upstream.HealthCheckSpec;
import io.tcpproxy.upstream.PassiveHealthSpec;
import io.tcpproxy.upstream.PoolSpec;
import io.tcpproxy.upstream.ServerSpec;
import io.tcpproxy.upstream.UpstreamConsole;
import io.tcpproxy.upstream.UpstreamListener;
import io.tcpproxy.upstream.UpstreamPool;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps the configuration's pools onto {@link UpstreamPool}s (one per {@code Config.pools()} entry, same order, so
 * that {@code Connection.poolIndex} indexes them). A {@code target_addr} host name builds none: it keeps the
 * single-target path with its own resolver (one address, re-resolved every 30 s, {@code connect_unresolved} while
 * the name does not resolve).
 */
public final class UpstreamPools
{
    private UpstreamPools()
    {
    }

    /**
     * @param config the settings.
     * @param log    where the startup and health lines go.
     * @return the pools, built (names resolved) but not started; empty for a {@code target_addr} host name.
     */
    public static UpstreamPool[] build(final Config config, final EngineLog log)
    {
        if (!usesPools(config))
        {
            final HostPort target = config.targetAddress();
            if (config.healthCheck() != null)
            {
                log.warn("target_addr " + target + " is a host name: [health_check] does not apply to it; write " +
                    "the server as an [[upstream]] to get health checks (one server per address)");
            }
            return new UpstreamPool[0];
        }
        final UpstreamListener listener = listener(log);
        final List<UpstreamPool> pools = new ArrayList<>();
        try
        {
            for (final Pool pool : config.pools().values())
            {
                pools.add(UpstreamPool.create(spec(config, pool), listener));
            }
        }
        catch (final RuntimeException ex)
        {
            closeAll(pools.toArray(new UpstreamPool[0]));
            throw ex;
        }
        return pools.toArray(new UpstreamPool[0]);
    }

    /** @return whether the settings describe pools (false: a {@code target_addr} host name, one address). */
    public static boolean usesPools(final Config config)
    {
        final HostPort target = config.targetAddress();
        return target == null || HostPort.isLiteralIp(target.host());
    }

    /** @return the listener printing the pools' state changes through the engine's log. */
    public static UpstreamListener listener(final EngineLog log)
    {
        return UpstreamConsole.listener(new LogLines(log));
    }

    static PoolSpec spec(final Config config, final Pool pool)
    {
        final List<ServerSpec> servers = new ArrayList<>();
        for (final Upstream upstream : pool.upstreams())
        {
            servers.add(new ServerSpec(
                upstream.addr().toString(), upstream.weight(), upstream.backup(), upstream.maxConnections()));
        }
        final HealthCheck check = pool.healthCheck();
        final HealthCheckSpec checkSpec = check == null ? null : new HealthCheckSpec(check.intervalMs(),
            check.timeoutMs(), check.rise(), check.fall(), check.port(), check.send(), check.expect());
        final PassiveHealth passive = config.passiveHealth();
        final PassiveHealthSpec passiveSpec = passive == null ? PassiveHealthSpec.defaults() :
            new PassiveHealthSpec(passive.consecutiveFailures(), passive.ejectionSecs());
        return new PoolSpec(pool.name(), servers, Balance.parse(pool.balance().name().toLowerCase(Locale.ROOT)),
            config.connectAttempts(), checkSpec, passiveSpec, config.dnsRefreshSecs());
    }

    public static void start(final UpstreamPool[] pools)
    {
        for (final UpstreamPool pool : pools)
        {
            pool.start();
        }
    }

    /** One line per pool listing its servers: said once the whole proxy has started (a failed start says nothing). */
    public static void announce(final UpstreamPool[] pools, final EngineLog log)
    {
        for (final UpstreamPool pool : pools)
        {
            log.line(UpstreamConsole.startupLine(pool));
        }
    }

    public static void closeAll(final UpstreamPool[] pools)
    {
        for (final UpstreamPool pool : pools)
        {
            pool.close();
        }
    }

    /** The pools' console lines, through the engine's log thread (a stalled console never stalls health checks). */
    private static final class LogLines extends PrintStream
    {
        private final EngineLog log;

        LogLines(final EngineLog log)
        {
            super(OutputStream.nullOutputStream());
            this.log = log;
        }

        @Override
        public void println(final String line)
        {
            log.line(line);
        }
    }
}
