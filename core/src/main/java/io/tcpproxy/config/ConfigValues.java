package io.tcpproxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The top-level values a {@link ConfigBuilder} collects, each with its default, and where they came from. The
 * {@link ConfigKey} setters write the fields; {@link Config} reads a private copy. Adding a key adds its field here
 * and nothing else in this class: {@link #copy()} copies every field.
 */
final class ConfigValues implements Cloneable
{
    HostPort listenAddress = HostPort.of("127.0.0.1", 3000);
    HostPort targetAddress = HostPort.of("127.0.0.1", 8081);
    boolean targetSet;
    HostPort metricsAddress = HostPort.of("127.0.0.1", 9090);
    int gracePeriodSecs = 30;
    int metricsLogIntervalSecs = 10;
    int channelBufferSize = 1000;
    int workers = 0;
    int bufferSizeBytes = 16384;
    int bufferPoolMb = 64;
    int maxConnections = 10_000;
    int connectTimeoutMs = 5000;
    int idleTimeoutSecs = 0;
    LogEvents logEvents = LogEvents.CONNECTIONS;
    int metricsClientTopK = 20;
    boolean metricsClientLabels = false;
    AcceptMode acceptMode = AcceptMode.REUSE_PORT;
    IdleStrategyKind idleStrategy = IdleStrategyKind.BLOCK;
    int busyPollUs = 0;
    CpuAffinityMode cpuAffinity = CpuAffinityMode.OFF;
    Balance balance = Balance.ROUND_ROBIN;
    int connectAttempts = 3;
    int dnsRefreshSecs = 30;
    HealthCheck healthCheck;
    PassiveHealth passiveHealth = PassiveHealth.builder().build();
    List<Upstream> upstreams = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    Map<String, PoolSettings> poolSettings = new LinkedHashMap<>();
    SendProxyProtocol sendProxyProtocol = SendProxyProtocol.OFF;
    boolean acceptProxyProtocol = false;
    List<Cidr> proxyProtocolTrusted = List.of();
    int proxyProtocolTimeoutMs = 3000;
    List<Cidr> allow = List.of();
    List<Cidr> deny = List.of();
    int maxConnectionsPerClient = 0;
    int clientConnectRate = 0;
    int clientConnectBurst = 0;
    int clientIpv6Prefix = 64;
    String sniDefaultPool = Upstream.DEFAULT_POOL;
    int sniPeekTimeoutMs = 5000;
    int sniPeekMaxBytes = 65536;
    int removedServerDrainSecs = 0;
    String adminToken = "";
    AccessLog accessLog = AccessLog.OFF;
    AccessLogFormat accessLogFormat = AccessLogFormat.TEXT;

    /** The file the values came from, for error messages; null when not from a file. */
    String sourceName;
    /** The TOML file the values were read from (what a reload reads again); null when not from a file. */
    Path sourcePath;
    /** Lines in that file by origin: a key name, or e.g. {@code route#2.pool}. */
    Map<String, Integer> lines = new HashMap<>();

    void target(final HostPort address)
    {
        targetAddress = address;
        targetSet = true;
    }

    /**
     * @return an independent copy: every field, with the mutable collections copied (the other values are
     *     immutable).
     */
    ConfigValues copy()
    {
        final ConfigValues copy;
        try
        {
            copy = (ConfigValues)super.clone();
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new AssertionError(ex);
        }
        copy.upstreams = new ArrayList<>(upstreams);
        copy.routes = new ArrayList<>(routes);
        copy.poolSettings = new LinkedHashMap<>(poolSettings);
        copy.lines = new HashMap<>(lines);
        return copy;
    }

    /**
     * @param origin where the fault is: a key name, or an origin the loader recorded ({@code route#2.pool}).
     * @param key    the key to name in the message.
     * @param what   what is wrong.
     * @return the exception, reading {@code FILE:LINE: KEY: what} when the values came from a file.
     */
    ConfigException error(final String origin, final String key, final String what)
    {
        final int line = lines.getOrDefault(origin, 0);
        final String where = sourceName == null ? "" : sourceName + (line > 0 ? ":" + line : "") + ": ";
        return new ConfigException(key, line, where + key + ": " + what);
    }
}
