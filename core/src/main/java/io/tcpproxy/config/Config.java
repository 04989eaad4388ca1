package io.tcpproxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The proxy's settings: immutable, every key with a default, validated once in {@link Builder#build()}.
 * Three front doors lead here: {@link #fromFile(Path)} (TOML), the CLI flags, and {@link #builder()}.
 * Each key is declared once in {@link ConfigKey}, which also says whether a running proxy can take a new value.
 */
public final class Config
{
    /** What the console logs per connection. */
    public enum LogEvents
    {
        /** No per-connection lines (summaries still print). */
        OFF,
        /** Open and close lines. */
        CONNECTIONS,
        /** Open and close lines plus byte lines, coalesced per connection per interval. */
        ALL
    }

    /** How clients are accepted. */
    public enum AcceptMode
    {
        /** One listener per worker bound with SO_REUSEPORT: the kernel spreads connections, no hand-off. */
        REUSE_PORT,
        /** One listener registered with every worker's selector; whichever worker wakes first accepts. */
        SHARED,
        /** One acceptor thread blocks in accept and hands channels to the workers in turn through bounded queues. */
        ACCEPTOR
    }

    /** What an idle worker does. */
    public enum IdleStrategyKind
    {
        /** Block in select until something happens (no CPU when idle). */
        BLOCK,
        /** Poll, then spin, yield and park with growing pauses. */
        BACKOFF,
        /** Poll in a busy loop: lowest latency, one full core per worker. */
        SPIN
    }

    private final ConfigValues settings;
    private final List<Upstream> upstreams;
    private final List<Route> routes;
    private final Map<String, PoolSettings> poolSettings;
    private final Map<String, Pool> pools;

    private Config(final Builder builder)
    {
        settings = builder.values.copy();
        upstreams = settings.upstreams.isEmpty() ?
            List.of(Upstream.builder().addr(settings.targetAddress.toString()).build()) :
            List.copyOf(settings.upstreams);
        routes = List.copyOf(settings.routes);
        poolSettings = Collections.unmodifiableMap(new LinkedHashMap<>(settings.poolSettings));
        pools = ConfigChecks.checkAndResolvePools(settings, upstreams);
    }

    /**
     * Read a TOML file. Keys not in the file keep their defaults.
     *
     * @param path of the file.
     * @return the configuration.
     * @throws ConfigException naming the file, the line, the key and what was expected, when the file cannot be used.
     */
    public static Config fromFile(final Path path)
    {
        return TomlConfigLoader.load(path).build();
    }

    /**
     * @return a builder holding every default.
     */
    public static Builder builder()
    {
        return new Builder(new ConfigValues());
    }

    /**
     * @return a builder holding this configuration's values.
     */
    public Builder toBuilder()
    {
        final ConfigValues copy = settings.copy();
        copy.sourceName = null;
        copy.sourcePath = null;
        copy.lines.clear();
        return new Builder(copy);
    }

    /**
     * Every top-level key with its value, as it would be written in TOML (addresses as strings, choices lower case,
     * CIDR lists as lists of strings). Tables ({@code [[upstream]]}, {@code [health_check]}, ...) are not in it;
     * {@code target_addr} is not either when the servers come from {@code [[upstream]]} tables.
     *
     * @return the values in key order.
     */
    public Map<ConfigKey, Object> values()
    {
        final Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        for (final ConfigKey key : ConfigKey.values())
        {
            final Object value = key.tomlValue(this);
            if (value != null)
            {
                values.put(key, value);
            }
        }
        return values;
    }

    /**
     * What a reload from this configuration to {@code newer} cannot apply in a running process: one entry per
     * changed key that is not {@link ConfigKey#reloadable()}, e.g. {@code workers (2 → 4)}.
     *
     * @param newer the configuration a reload read.
     * @return the changes that need a restart, in key order; empty when a reload can apply everything.
     */
    public List<String> restartRequiredChanges(final Config newer)
    {
        final List<String> changes = new ArrayList<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            if (!key.reloadable())
            {
                final Object before = key.tomlValue(this);
                final Object after = key.tomlValue(newer);
                if (!Objects.equals(before, after))
                {
                    changes.add(key.tomlName() + " (" + show(before) + " → " + show(after) + ")");
                }
            }
        }
        return changes;
    }

    /**
     * This configuration with some top-level keys set to their values in {@code other}: a reload starts from the
     * configuration in force and takes from the file it read only the keys a running proxy can apply.
     *
     * @param other where the keys' values come from.
     * @param keys  top-level keys to take from {@code other}.
     * @return the mixed configuration (validated again), with this one's source file.
     */
    public Config withValuesFrom(final Config other, final Iterable<ConfigKey> keys)
    {
        final Builder builder = new Builder(settings.copy());
        for (final ConfigKey key : keys)
        {
            final Object value = key.tomlValue(other);
            if (value != null)
            {
                key.setIn(builder.values, value);
            }
        }
        return builder.build();
    }

    private static String show(final Object value)
    {
        return "".equals(value) ? "\"\"" : String.valueOf(value);
    }

    /**
     * @return the TOML file these settings were read from (flags may have been applied over it), which a reload
     *     reads again; null when the settings were not read from a file.
     */
    public Path sourcePath()
    {
        return settings.sourcePath;
    }

    /** @return where clients connect. */
    public HostPort listenAddress()
    {
        return settings.listenAddress;
    }

    /**
     * @return {@code target_addr}, the one server, when the servers are not given as {@code [[upstream]]} tables;
     *     null when they are (see {@link #upstreams()} and {@link #pools()}).
     */
    public HostPort targetAddress()
    {
        return settings.upstreams.isEmpty() ? settings.targetAddress : null;
    }

    /** @return the metrics endpoint, or null when disabled. */
    public HostPort metricsAddress()
    {
        return settings.metricsAddress;
    }

    /** @return how long a graceful shutdown waits for open connections. */
    public int gracePeriodSecs()
    {
        return settings.gracePeriodSecs;
    }

    /** @return the console summary interval, 0 when disabled. */
    public int metricsLogIntervalSecs()
    {
        return settings.metricsLogIntervalSecs;
    }

    /** @return metric events each worker's ring holds. */
    public int channelBufferSize()
    {
        return settings.channelBufferSize;
    }

    /** @return the configured worker count, 0 meaning one per available processor. */
    public int workers()
    {
        return settings.workers;
    }

    /** @return the worker threads that will run: {@link #workers()}, or the processor count when it is 0. */
    public int effectiveWorkers()
    {
        return settings.workers > 0 ? settings.workers : Runtime.getRuntime().availableProcessors();
    }

    /** @return relay buffer size in bytes. */
    public int bufferSizeBytes()
    {
        return settings.bufferSizeBytes;
    }

    /** @return relay buffer memory per worker in MiB. */
    public int bufferPoolMb()
    {
        return settings.bufferPoolMb;
    }

    /** @return open connections beyond which new clients are closed at once. */
    public int maxConnections()
    {
        return settings.maxConnections;
    }

    /** @return upstream connect deadline in milliseconds (per try). */
    public int connectTimeoutMs()
    {
        return settings.connectTimeoutMs;
    }

    /** @return idle timeout in seconds, 0 when disabled. */
    public int idleTimeoutSecs()
    {
        return settings.idleTimeoutSecs;
    }

    /** @return what the console logs per connection. */
    public LogEvents logEvents()
    {
        return settings.logEvents;
    }

    /** @return how many client IPs get their own figures (0 disables per-client figures). */
    public int metricsClientTopK()
    {
        return settings.metricsClientTopK;
    }

    /** @return whether per-client figures are exported to Prometheus as labelled series. */
    public boolean metricsClientLabels()
    {
        return settings.metricsClientLabels;
    }

    /** @return how clients are accepted. */
    public AcceptMode acceptMode()
    {
        return settings.acceptMode;
    }

    /** @return what an idle worker does. */
    public IdleStrategyKind idleStrategy()
    {
        return settings.idleStrategy;
    }

    /** @return how long a blocking worker polls after events before it blocks again, in microseconds. */
    public int busyPollUs()
    {
        return settings.busyPollUs;
    }

    /** @return whether workers are pinned to CPUs (any {@link #cpuAffinityMode()} but off). */
    public boolean cpuAffinity()
    {
        return settings.cpuAffinity != CpuAffinityMode.OFF;
    }

    /** @return how workers are placed on CPUs ({@code cpu_affinity}). */
    public CpuAffinityMode cpuAffinityMode()
    {
        return settings.cpuAffinity;
    }

    /** @return the top-level balancing, used by every pool without its own. */
    public Balance balance()
    {
        return settings.balance;
    }

    /** @return connect tries in all for one client, each on a different server. */
    public int connectAttempts()
    {
        return settings.connectAttempts;
    }

    /** @return seconds between re-resolutions of server host names, 0 = resolve once. */
    public int dnsRefreshSecs()
    {
        return settings.dnsRefreshSecs;
    }

    /** @return the top-level {@code [health_check]}, or null when absent (no active checks). */
    public HealthCheck healthCheck()
    {
        return settings.healthCheck;
    }

    /** @return passive health settings ({@code [passive_health]} or its defaults). */
    public PassiveHealth passiveHealth()
    {
        return settings.passiveHealth;
    }

    /**
     * @return every server in file order: the {@code [[upstream]]} tables, or {@code target_addr} as one server of
     *     pool {@code default} (unmodifiable, never empty).
     */
    public List<Upstream> upstreams()
    {
        return upstreams;
    }

    /** @return the {@code [[route]]} tables in file order (unmodifiable; empty: nothing is peeked). */
    public List<Route> routes()
    {
        return routes;
    }

    /** @return the {@code [pool.NAME]} tables by name, in file order (unmodifiable). */
    public Map<String, PoolSettings> poolSettings()
    {
        return poolSettings;
    }

    /**
     * @return every pool with servers, by name in order of first appearance, with its effective balancing and health
     *     check (unmodifiable).
     */
    public Map<String, Pool> pools()
    {
        return pools;
    }

    /**
     * @param name of a pool.
     * @return the pool, or null when no server names it.
     */
    public Pool pool(final String name)
    {
        return pools.get(name);
    }

    /** @return the PROXY protocol header sent to upstreams. */
    public SendProxyProtocol sendProxyProtocol()
    {
        return settings.sendProxyProtocol;
    }

    /** @return whether clients must open with a PROXY header. */
    public boolean acceptProxyProtocol()
    {
        return settings.acceptProxyProtocol;
    }

    /** @return the networks allowed to send a PROXY header (unmodifiable). */
    public List<Cidr> proxyProtocolTrusted()
    {
        return settings.proxyProtocolTrusted;
    }

    /** @return milliseconds within which the whole PROXY header must arrive. */
    public int proxyProtocolTimeoutMs()
    {
        return settings.proxyProtocolTimeoutMs;
    }

    /** @return when not empty, the only client networks served (unmodifiable). */
    public List<Cidr> allow()
    {
        return settings.allow;
    }

    /** @return client networks refused, checked before {@link #allow()} (unmodifiable). */
    public List<Cidr> deny()
    {
        return settings.deny;
    }

    /** @return open connections per client IP, 0 = no limit. */
    public int maxConnectionsPerClient()
    {
        return settings.maxConnectionsPerClient;
    }

    /** @return new connections per second per client IP, 0 = no limit. */
    public int clientConnectRate()
    {
        return settings.clientConnectRate;
    }

    /** @return the token bucket size as configured, 0 meaning the same as the rate. */
    public int clientConnectBurst()
    {
        return settings.clientConnectBurst;
    }

    /** @return the token bucket size in force: {@link #clientConnectBurst()}, or the rate when it is 0. */
    public int effectiveClientConnectBurst()
    {
        return settings.clientConnectBurst > 0 ? settings.clientConnectBurst : settings.clientConnectRate;
    }

    /** @return the prefix length that makes IPv6 addresses one client. */
    public int clientIpv6Prefix()
    {
        return settings.clientIpv6Prefix;
    }

    /** @return the pool for connections no route matches, "" to close them (reason no_route). */
    public String sniDefaultPool()
    {
        return settings.sniDefaultPool;
    }

    /** @return milliseconds within which the ClientHello must be complete. */
    public int sniPeekTimeoutMs()
    {
        return settings.sniPeekTimeoutMs;
    }

    /** @return the largest ClientHello read, in bytes. */
    public int sniPeekMaxBytes()
    {
        return settings.sniPeekMaxBytes;
    }

    /** @return seconds after which connections to a server removed by a reload are closed, 0 = never. */
    public int removedServerDrainSecs()
    {
        return settings.removedServerDrainSecs;
    }

    /** @return the admin API's bearer token, "" when the admin API is off. */
    public String adminToken()
    {
        return settings.adminToken;
    }

    /** @return where the access log goes. */
    public AccessLog accessLog()
    {
        return settings.accessLog;
    }

    /** @return how access log lines are written. */
    public AccessLogFormat accessLogFormat()
    {
        return settings.accessLogFormat;
    }

    /** @return the values, the admin token hidden, and the pools and routes. */
    public String toString()
    {
        final Map<ConfigKey, Object> values = values();
        if (!settings.adminToken.isEmpty())
        {
            values.put(ConfigKey.ADMIN_TOKEN, "(hidden)");
        }
        return "Config" + values + " pools=" + pools.values() + " routes=" + routes;
    }

    /**
     * Builds a {@link Config}; starts with every default. Each typed setter checks its value as the file does and
     * throws IllegalArgumentException saying what was expected.
     */
    public static final class Builder
    {
        /** The values being collected; {@link ConfigKey}'s setters write them. */
        final ConfigValues values;

        private Builder(final ConfigValues values)
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
        public Builder set(final ConfigKey key, final Object value)
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
        public Builder listenAddress(final String address)
        {
            return set(ConfigKey.LISTEN_ADDR, address);
        }

        /** @param address the one upstream (not together with {@link #upstream}). @return this builder. */
        public Builder targetAddress(final String address)
        {
            return set(ConfigKey.TARGET_ADDR, address);
        }

        /** @param address the metrics endpoint, or "" to disable. @return this builder. */
        public Builder metricsAddress(final String address)
        {
            return set(ConfigKey.METRICS_ADDR, address == null ? "" : address);
        }

        /** @param secs grace period. @return this builder. */
        public Builder gracePeriodSecs(final int secs)
        {
            return set(ConfigKey.GRACE_PERIOD_SECS, secs);
        }

        /** @param secs console summary interval, 0 disables. @return this builder. */
        public Builder metricsLogIntervalSecs(final int secs)
        {
            return set(ConfigKey.METRICS_LOG_INTERVAL_SECS, secs);
        }

        /** @param events metric events each worker's ring holds. @return this builder. */
        public Builder channelBufferSize(final int events)
        {
            return set(ConfigKey.CHANNEL_BUFFER_SIZE, events);
        }

        /** @param count worker threads, 0 = processors. @return this builder. */
        public Builder workers(final int count)
        {
            return set(ConfigKey.WORKERS, count);
        }

        /** @param bytes relay buffer size. @return this builder. */
        public Builder bufferSizeBytes(final int bytes)
        {
            return set(ConfigKey.BUFFER_SIZE, bytes);
        }

        /** @param mb relay buffer memory per worker. @return this builder. */
        public Builder bufferPoolMb(final int mb)
        {
            return set(ConfigKey.BUFFER_POOL_MB, mb);
        }

        /** @param count connection limit. @return this builder. */
        public Builder maxConnections(final int count)
        {
            return set(ConfigKey.MAX_CONNECTIONS, count);
        }

        /** @param ms upstream connect deadline. @return this builder. */
        public Builder connectTimeoutMs(final int ms)
        {
            return set(ConfigKey.CONNECT_TIMEOUT_MS, ms);
        }

        /** @param secs idle timeout, 0 disables. @return this builder. */
        public Builder idleTimeoutSecs(final int secs)
        {
            return set(ConfigKey.IDLE_TIMEOUT_SECS, secs);
        }

        /** @param events what the console logs. @return this builder. */
        public Builder logEvents(final LogEvents events)
        {
            return set(ConfigKey.LOG_EVENTS, events.name());
        }

        /** @param k client IPs with their own figures. @return this builder. */
        public Builder metricsClientTopK(final int k)
        {
            return set(ConfigKey.METRICS_CLIENT_TOP_K, k);
        }

        /** @param enabled export per-client series to Prometheus. @return this builder. */
        public Builder metricsClientLabels(final boolean enabled)
        {
            return set(ConfigKey.METRICS_CLIENT_LABELS, enabled);
        }

        /** @param mode how clients are accepted. @return this builder. */
        public Builder acceptMode(final AcceptMode mode)
        {
            return set(ConfigKey.ACCEPT_MODE, mode.name());
        }

        /** @param kind what an idle worker does. @return this builder. */
        public Builder idleStrategy(final IdleStrategyKind kind)
        {
            return set(ConfigKey.IDLE_STRATEGY, kind.name());
        }

        /**
         * @param us how long a blocking worker polls after events before it blocks again; 0 blocks at once.
         * @return this builder.
         */
        public Builder busyPollUs(final int us)
        {
            return set(ConfigKey.BUSY_POLL_US, us);
        }

        /** @param enabled pin worker k to CPU k ({@code true}) or not at all. @return this builder. */
        public Builder cpuAffinity(final boolean enabled)
        {
            return set(ConfigKey.CPU_AFFINITY, enabled);
        }

        /** @param mode how to place workers on CPUs. @return this builder. */
        public Builder cpuAffinity(final CpuAffinityMode mode)
        {
            return set(ConfigKey.CPU_AFFINITY, mode);
        }

        /** @param balance top-level balancing, for pools without their own. @return this builder. */
        public Builder balance(final Balance balance)
        {
            return set(ConfigKey.BALANCE, balance.name());
        }

        /** @param attempts connect tries in all for one client. @return this builder. */
        public Builder connectAttempts(final int attempts)
        {
            return set(ConfigKey.CONNECT_ATTEMPTS, attempts);
        }

        /** @param secs between re-resolutions of server names, 0 = once. @return this builder. */
        public Builder dnsRefreshSecs(final int secs)
        {
            return set(ConfigKey.DNS_REFRESH_SECS, secs);
        }

        /** @param check top-level active health check, null for none. @return this builder. */
        public Builder healthCheck(final HealthCheck check)
        {
            values.healthCheck = check;
            values.lines.remove("health_check");
            return this;
        }

        /** @param settings passive health settings. @return this builder. */
        public Builder passiveHealth(final PassiveHealth settings)
        {
            values.passiveHealth = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** @param server one more server, as an {@code [[upstream]]} table adds one. @return this builder. */
        public Builder upstream(final Upstream server)
        {
            values.upstreams.add(Objects.requireNonNull(server, "server"));
            return this;
        }

        /** @param servers every server, replacing those added before (empty: {@code target_addr}). @return this. */
        public Builder upstreams(final List<Upstream> servers)
        {
            values.upstreams = new ArrayList<>(servers);
            values.lines.keySet().removeIf(origin -> origin.startsWith("upstream#"));
            return this;
        }

        /** @param route one more routing rule, as a {@code [[route]]} table adds one. @return this builder. */
        public Builder route(final Route route)
        {
            values.routes.add(Objects.requireNonNull(route, "route"));
            return this;
        }

        /** @param routes every routing rule, replacing those added before. @return this builder. */
        public Builder routes(final List<Route> routes)
        {
            values.routes = new ArrayList<>(routes);
            values.lines.keySet().removeIf(origin -> origin.startsWith("route#"));
            return this;
        }

        /** @param settings one pool's own settings, replacing earlier ones of that name. @return this builder. */
        public Builder poolSettings(final PoolSettings settings)
        {
            values.poolSettings.put(settings.name(), settings);
            return this;
        }

        /** @param version PROXY header sent to upstreams. @return this builder. */
        public Builder sendProxyProtocol(final SendProxyProtocol version)
        {
            return set(ConfigKey.SEND_PROXY_PROTOCOL, version.name());
        }

        /** @param accept whether clients must open with a PROXY header. @return this builder. */
        public Builder acceptProxyProtocol(final boolean accept)
        {
            return set(ConfigKey.ACCEPT_PROXY_PROTOCOL, accept);
        }

        /** @param cidrs networks allowed to send a PROXY header. @return this builder. */
        public Builder proxyProtocolTrusted(final List<String> cidrs)
        {
            return set(ConfigKey.PROXY_PROTOCOL_TRUSTED, cidrs);
        }

        /** @param ms within which the whole PROXY header must arrive. @return this builder. */
        public Builder proxyProtocolTimeoutMs(final int ms)
        {
            return set(ConfigKey.PROXY_PROTOCOL_TIMEOUT_MS, ms);
        }

        /** @param cidrs when not empty, the only client networks served. @return this builder. */
        public Builder allow(final List<String> cidrs)
        {
            return set(ConfigKey.ALLOW, cidrs);
        }

        /** @param cidrs client networks refused. @return this builder. */
        public Builder deny(final List<String> cidrs)
        {
            return set(ConfigKey.DENY, cidrs);
        }

        /** @param count open connections per client IP, 0 = no limit. @return this builder. */
        public Builder maxConnectionsPerClient(final int count)
        {
            return set(ConfigKey.MAX_CONNECTIONS_PER_CLIENT, count);
        }

        /** @param perSecond new connections per second per client IP, 0 = no limit. @return this builder. */
        public Builder clientConnectRate(final int perSecond)
        {
            return set(ConfigKey.CLIENT_CONNECT_RATE, perSecond);
        }

        /** @param burst token bucket size, 0 = the rate. @return this builder. */
        public Builder clientConnectBurst(final int burst)
        {
            return set(ConfigKey.CLIENT_CONNECT_BURST, burst);
        }

        /** @param bits IPv6 prefix length that is one client. @return this builder. */
        public Builder clientIpv6Prefix(final int bits)
        {
            return set(ConfigKey.CLIENT_IPV6_PREFIX, bits);
        }

        /** @param pool for connections no route matches, "" to close them. @return this builder. */
        public Builder sniDefaultPool(final String pool)
        {
            return set(ConfigKey.SNI_DEFAULT_POOL, pool);
        }

        /** @param ms within which the ClientHello must be complete. @return this builder. */
        public Builder sniPeekTimeoutMs(final int ms)
        {
            return set(ConfigKey.SNI_PEEK_TIMEOUT_MS, ms);
        }

        /** @param bytes the largest ClientHello read. @return this builder. */
        public Builder sniPeekMaxBytes(final int bytes)
        {
            return set(ConfigKey.SNI_PEEK_MAX_BYTES, bytes);
        }

        /** @param secs after which a removed server's connections close, 0 = never. @return this builder. */
        public Builder removedServerDrainSecs(final int secs)
        {
            return set(ConfigKey.REMOVED_SERVER_DRAIN_SECS, secs);
        }

        /** @param token the admin API's bearer token, "" turns the admin API off. @return this builder. */
        public Builder adminToken(final String token)
        {
            return set(ConfigKey.ADMIN_TOKEN, token);
        }

        /** @param target "off", "stdout" or a writable file path. @return this builder. */
        public Builder accessLog(final String target)
        {
            return set(ConfigKey.ACCESS_LOG, target);
        }

        /** @param format how access log lines are written. @return this builder. */
        public Builder accessLogFormat(final AccessLogFormat format)
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
            return new Config(this);
        }
    }
}
