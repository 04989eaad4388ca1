package io.tcpproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a {@link Config}: {@link Config#builder()} starts with every default, {@link Config#toBuilder()} with a
 * configuration's values. Each typed setter checks its value as the file does and throws IllegalArgumentException
 * saying what was expected; {@link #build()} checks the settings together.
 */
public final class ConfigBuilder
{
    /** The values being collected; {@link ConfigKey}'s setters write them. */
    final ConfigValues values;

    ConfigBuilder(final ConfigValues values)
    {
        this.values = values;
    }

    /**
     * Set a top-level key from a loosely typed value: a {@link String} for addresses, choices and paths, any
     * {@link Number} (or a numeric String) for integers, a {@link Boolean} (or "true"/"false") for booleans, a
     * {@link List} of strings (or one comma-separated string) for lists.
     *
     * @param key   to set (a top-level key; keys inside tables are set through their own builders).
     * @param value its value.
     * @return this builder.
     * @throws IllegalArgumentException saying what was expected when the value does not fit the key.
     */
    public ConfigBuilder set(final ConfigKey key, final Object value)
    {
        if (key.scope() != Scope.TOP)
        {
            throw new IllegalArgumentException(key.tomlName() + " is set inside a [" + key.table() +
                "] table; build it with its own builder");
        }
        key.setIn(values, value);
        values.lines.remove(key.tomlName());
        return this;
    }

    /** @param address where clients connect. @return this builder. */
    public ConfigBuilder listenAddress(final String address)
    {
        return set(ConfigKey.LISTEN_ADDR, address);
    }

    /** @param address the one upstream (not together with {@link #upstream}). @return this builder. */
    public ConfigBuilder targetAddress(final String address)
    {
        return set(ConfigKey.TARGET_ADDR, address);
    }

    /** @param address the metrics endpoint, or "" to disable. @return this builder. */
    public ConfigBuilder metricsAddress(final String address)
    {
        return set(ConfigKey.METRICS_ADDR, address == null ? "" : address);
    }

    /** @param secs grace period. @return this builder. */
    public ConfigBuilder gracePeriodSecs(final int secs)
    {
        return set(ConfigKey.GRACE_PERIOD_SECS, secs);
    }

    /** @param secs console summary interval, 0 disables. @return this builder. */
    public ConfigBuilder metricsLogIntervalSecs(final int secs)
    {
        return set(ConfigKey.METRICS_LOG_INTERVAL_SECS, secs);
    }

    /** @param events metric events each worker's ring holds. @return this builder. */
    public ConfigBuilder channelBufferSize(final int events)
    {
        return set(ConfigKey.CHANNEL_BUFFER_SIZE, events);
    }

    /** @param count worker threads, 0 = processors. @return this builder. */
    public ConfigBuilder workers(final int count)
    {
        return set(ConfigKey.WORKERS, count);
    }

    /** @param bytes relay buffer size. @return this builder. */
    public ConfigBuilder bufferSizeBytes(final int bytes)
    {
        return set(ConfigKey.BUFFER_SIZE, bytes);
    }

    /** @param mb relay buffer memory per worker. @return this builder. */
    public ConfigBuilder bufferPoolMb(final int mb)
    {
        return set(ConfigKey.BUFFER_POOL_MB, mb);
    }

    /** @param count connection limit. @return this builder. */
    public ConfigBuilder maxConnections(final int count)
    {
        return set(ConfigKey.MAX_CONNECTIONS, count);
    }

    /** @param ms upstream connect deadline. @return this builder. */
    public ConfigBuilder connectTimeoutMs(final int ms)
    {
        return set(ConfigKey.CONNECT_TIMEOUT_MS, ms);
    }

    /** @param secs idle timeout, 0 disables. @return this builder. */
    public ConfigBuilder idleTimeoutSecs(final int secs)
    {
        return set(ConfigKey.IDLE_TIMEOUT_SECS, secs);
    }

    /** @param events what the console logs. @return this builder. */
    public ConfigBuilder logEvents(final LogEvents events)
    {
        return set(ConfigKey.LOG_EVENTS, events.name());
    }

    /** @param k client IPs with their own figures. @return this builder. */
    public ConfigBuilder metricsClientTopK(final int k)
    {
        return set(ConfigKey.METRICS_CLIENT_TOP_K, k);
    }

    /** @param enabled export per-client series to Prometheus. @return this builder. */
    public ConfigBuilder metricsClientLabels(final boolean enabled)
    {
        return set(ConfigKey.METRICS_CLIENT_LABELS, enabled);
    }

    /** @param mode how clients are accepted. @return this builder. */
    public ConfigBuilder acceptMode(final AcceptMode mode)
    {
        return set(ConfigKey.ACCEPT_MODE, mode.name());
    }

    /** @param kind what an idle worker does. @return this builder. */
    public ConfigBuilder idleStrategy(final IdleStrategyKind kind)
    {
        return set(ConfigKey.IDLE_STRATEGY, kind.name());
    }

    /**
     * @param us how long a blocking worker polls after events before it blocks again; 0 blocks at once.
     * @return this builder.
     */
    public ConfigBuilder busyPollUs(final int us)
    {
        return set(ConfigKey.BUSY_POLL_US, us);
    }

    /** @param enabled pin worker k to CPU k ({@code true}) or not at all. @return this builder. */
    public ConfigBuilder cpuAffinity(final boolean enabled)
    {
        return set(ConfigKey.CPU_AFFINITY, enabled);
    }

    /** @param mode how to place workers on CPUs. @return this builder. */
    public ConfigBuilder cpuAffinity(final CpuAffinityMode mode)
    {
        return set(ConfigKey.CPU_AFFINITY, mode);
    }

    /** @param balance top-level balancing, for pools without their own. @return this builder. */
    public ConfigBuilder balance(final Balance balance)
    {
        return set(ConfigKey.BALANCE, balance.name());
    }

    /** @param attempts connect tries in all for one client. @return this builder. */
    public ConfigBuilder connectAttempts(final int attempts)
    {
        return set(ConfigKey.CONNECT_ATTEMPTS, attempts);
    }

    /** @param secs between re-resolutions of server names, 0 = once. @return this builder. */
    public ConfigBuilder dnsRefreshSecs(final int secs)
    {
        return set(ConfigKey.DNS_REFRESH_SECS, secs);
    }

    /** @param check top-level active health check, null for none. @return this builder. */
    public ConfigBuilder healthCheck(final HealthCheck check)
    {
        values.healthCheck = check;
        values.lines.remove("health_check");
        return this;
    }

    /** @param settings passive health settings. @return this builder. */
    public ConfigBuilder passiveHealth(final PassiveHealth settings)
    {
        values.passiveHealth = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /** @param server one more server, as an {@code [[upstream]]} table adds one. @return this builder. */
    public ConfigBuilder upstream(final Upstream server)
    {
        values.upstreams.add(Objects.requireNonNull(server, "server"));
        return this;
    }

    /** @param servers every server, replacing those added before (empty: {@code target_addr}). @return this. */
    public ConfigBuilder upstreams(final List<Upstream> servers)
    {
        values.upstreams = new ArrayList<>(servers);
        values.lines.keySet().removeIf(origin -> origin.startsWith("upstream#"));
        return this;
    }

    /** @param route one more routing rule, as a {@code [[route]]} table adds one. @return this builder. */
    public ConfigBuilder route(final Route route)
    {
        values.routes.add(Objects.requireNonNull(route, "route"));
        return this;
    }

    /** @param routes every routing rule, replacing those added before. @return this builder. */
    public ConfigBuilder routes(final List<Route> routes)
    {
        values.routes = new ArrayList<>(routes);
        values.lines.keySet().removeIf(origin -> origin.startsWith("route#"));
        return this;
    }

    /** @param settings one pool's own settings, replacing earlier ones of that name. @return this builder. */
    public ConfigBuilder poolSettings(final PoolSettings settings)
    {
        values.poolSettings.put(settings.name(), settings);
        return this;
    }

    /** @param version PROXY header sent to upstreams. @return this builder. */
    public ConfigBuilder sendProxyProtocol(final SendProxyProtocol version)
    {
        return set(ConfigKey.SEND_PROXY_PROTOCOL, version.name());
    }

    /** @param accept whether clients must open with a PROXY header. @return this builder. */
    public ConfigBuilder acceptProxyProtocol(final boolean accept)
    {
        return set(ConfigKey.ACCEPT_PROXY_PROTOCOL, accept);
    }

    /** @param cidrs networks allowed to send a PROXY header. @return this builder. */
    public ConfigBuilder proxyProtocolTrusted(final List<String> cidrs)
    {
        return set(ConfigKey.PROXY_PROTOCOL_TRUSTED, cidrs);
    }

    /** @param ms within which the whole PROXY header must arrive. @return this builder. */
    public ConfigBuilder proxyProtocolTimeoutMs(final int ms)
    {
        return set(ConfigKey.PROXY_PROTOCOL_TIMEOUT_MS, ms);
    }

    /** @param cidrs when not empty, the only client networks served. @return this builder. */
    public ConfigBuilder allow(final List<String> cidrs)
    {
        return set(ConfigKey.ALLOW, cidrs);
    }

    /** @param cidrs client networks refused. @return this builder. */
    public ConfigBuilder deny(final List<String> cidrs)
    {
        return set(ConfigKey.DENY, cidrs);
    }

    /** @param count open connections per client IP, 0 = no limit. @return this builder. */
    public ConfigBuilder maxConnectionsPerClient(final int count)
    {
        return set(ConfigKey.MAX_CONNECTIONS_PER_CLIENT, count);
    }

    /** @param perSecond new connections per second per client IP, 0 = no limit. @return this builder. */
    public ConfigBuilder clientConnectRate(final int perSecond)
    {
        return set(ConfigKey.CLIENT_CONNECT_RATE, perSecond);
    }

    /** @param burst token bucket size, 0 = the rate. @return this builder. */
    public ConfigBuilder clientConnectBurst(final int burst)
    {
        return set(ConfigKey.CLIENT_CONNECT_BURST, burst);
    }

    /** @param bits IPv6 prefix length that is one client. @return this builder. */
    public ConfigBuilder clientIpv6Prefix(final int bits)
    {
        return set(ConfigKey.CLIENT_IPV6_PREFIX, bits);
    }

    /** @param pool for connections no route matches, "" to close them. @return this builder. */
    public ConfigBuilder sniDefaultPool(final String pool)
    {
        return set(ConfigKey.SNI_DEFAULT_POOL, pool);
    }

    /** @param ms within which the ClientHello must be complete. @return this builder. */
    public ConfigBuilder sniPeekTimeoutMs(final int ms)
    {
        return set(ConfigKey.SNI_PEEK_TIMEOUT_MS, ms);
    }

    /** @param bytes the largest ClientHello read. @return this builder. */
    public ConfigBuilder sniPeekMaxBytes(final int bytes)
    {
        return set(ConfigKey.SNI_PEEK_MAX_BYTES, bytes);
    }

    /** @param secs after which a removed server's connections close, 0 = never. @return this builder. */
    public ConfigBuilder removedServerDrainSecs(final int secs)
    {
        return set(ConfigKey.REMOVED_SERVER_DRAIN_SECS, secs);
    }

    /** @param token the admin API's bearer token, "" turns the admin API off. @return this builder. */
    public ConfigBuilder adminToken(final String token)
    {
        return set(ConfigKey.ADMIN_TOKEN, token);
    }

    /** @param target "off", "stdout" or a writable file path. @return this builder. */
    public ConfigBuilder accessLog(final String target)
    {
        return set(ConfigKey.ACCESS_LOG, target);
    }

    /** @param format how access log lines are written. @return this builder. */
    public ConfigBuilder accessLogFormat(final AccessLogFormat format)
    {
        return set(ConfigKey.ACCESS_LOG_FORMAT, format.name());
    }

    /**
     * @return the configuration.
     * @throws ConfigException when the settings are inconsistent (naming the file and line when read from one).
     */
    public Config build()
    {
        ConfigChecks.checkBufferPool(values);
        return new Config(values.copy());
    }
}
