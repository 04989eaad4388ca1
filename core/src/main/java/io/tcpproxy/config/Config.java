package io.tcpproxy.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy's settings: immutable, every key with a default, validated once in {@link ConfigBuilder#build()}.
 * Three front doors lead here: {@link #fromFile(Path)} (TOML), the CLI flags, and {@link #builder()}.
 * Each key is declared once in {@link ConfigKey}, which also says whether a running proxy can take a new value.
 */
public final class Config
{
    private final ConfigValues settings;
    private final List<Upstream> upstreams;
    private final List<Route> routes;
    private final Map<String, PoolSettings> poolSettings;
    private final Map<String, Pool> pools;

    Config(final ConfigValues settings)
    {
        this.settings = settings;
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

    /** @return a builder holding every default. */
    public static ConfigBuilder builder()
    {
        return new ConfigBuilder(new ConfigValues());
    }

    /** @return a builder holding this configuration's values. */
    public ConfigBuilder toBuilder()
    {
        final ConfigValues copy = settings.copy();
        copy.sourceName = null;
        copy.sourcePath = null;
        copy.lines.clear();
        return new ConfigBuilder(copy);
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
        return TomlValues.of(this);
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
        return TomlValues.restartRequiredChanges(this, newer);
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
        final ConfigBuilder builder = new ConfigBuilder(settings.copy());
        TomlValues.copy(other, keys, builder.values);
        return builder.build();
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
}
