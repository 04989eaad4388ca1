package io.tcpproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every configuration key: its name in {@code proxy.toml} (keys inside tables are named {@code table.key}, e.g.
 * {@code health_check.rise}), the kind of value it takes, its range, its meaning, whether a running proxy can take a
 * new value on reload, and (for the keys that have one) its CLI flag. Each key carries its own typed parser and the
 * setter that puts the value into its builder, so the TOML loader, the CLI, {@link ConfigBuilder#set} and the typed
 * builder methods all go through this one table; adding a key means declaring it here and using it.
 */
public enum ConfigKey
{
    LISTEN_ADDR("listen_addr", ValueType.address(), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.listenAddress = v, Config::listenAddress,
        "where clients connect (HOST:PORT; port 0 binds a free port)"),
    TARGET_ADDR("target_addr", ValueType.address(), Reload.LIVE, Cli.FLAG,
        ConfigValues::target, Config::targetAddress,
        "the upstream to forward to (HOST:PORT; host names resolved); a pool of one, not with [[upstream]]"),
    METRICS_ADDR("metrics_addr", ValueType.addressOrEmpty(), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.metricsAddress = v, Config::metricsAddress,
        "HTTP metrics endpoint (HOST:PORT); empty disables"),
    GRACE_PERIOD_SECS("grace_period_secs", ValueType.integer(0, 86_400), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.gracePeriodSecs = v, Config::gracePeriodSecs,
        "how long shutdown waits for open connections"),
    METRICS_LOG_INTERVAL_SECS("metrics_log_interval_secs", ValueType.integer(0, 86_400), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.metricsLogIntervalSecs = v, Config::metricsLogIntervalSecs,
        "periodic console summary interval; 0 disables"),
    CHANNEL_BUFFER_SIZE("channel_buffer_size", ValueType.integer(16, 16_777_216), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.channelBufferSize = v, Config::channelBufferSize,
        "metric events each worker's ring holds"),
    WORKERS("workers", ValueType.integer(0, 1024), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.workers = v, Config::workers,
        "selector worker threads; 0 = available processors"),
    BUFFER_SIZE("buffer_size", ValueType.integer(512, 16_777_216), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.bufferSizeBytes = v, Config::bufferSizeBytes,
        "relay buffer bytes (one read at most this much)"),
    BUFFER_POOL_MB("buffer_pool_mb", ValueType.integer(1, 1_048_576), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.bufferPoolMb = v, Config::bufferPoolMb,
        "relay buffer memory per worker (MiB); when used up, reading pauses instead of allocating"),
    MAX_CONNECTIONS("max_connections", ValueType.integer(1, 10_000_000), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.maxConnections = v, Config::maxConnections,
        "beyond it new clients are closed at once, and counted"),
    CONNECT_TIMEOUT_MS("connect_timeout_ms", ValueType.integer(1, 3_600_000), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.connectTimeoutMs = v, Config::connectTimeoutMs,
        "upstream connect deadline (ms)"),
    IDLE_TIMEOUT_SECS("idle_timeout_secs", ValueType.integer(0, 31_536_000), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.idleTimeoutSecs = v, Config::idleTimeoutSecs,
        "close a connection silent in both directions this long; 0 disables"),
    LOG_EVENTS("log_events", ValueType.choice(LogEvents.class), Reload.LIVE, Cli.FLAG,
        (b, v) -> b.logEvents = v, Config::logEvents,
        "console events: off, connections (open/close lines), all (plus byte lines, coalesced)"),
    METRICS_CLIENT_TOP_K("metrics_client_top_k", ValueType.integer(0, 100_000), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.metricsClientTopK = v, Config::metricsClientTopK,
        "per-client figures kept for the top K client IPs by bytes (the rest summed as \"other\"); 0 disables"),
    METRICS_CLIENT_LABELS("metrics_client_labels", ValueType.bool(), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.metricsClientLabels = v, Config::metricsClientLabels,
        "also export the per-client figures to Prometheus, labelled by client IP (bounded by metrics_client_top_k)"),
    ACCEPT_MODE("accept_mode", ValueType.choice(AcceptMode.class), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.acceptMode = v, Config::acceptMode,
        "reuse_port: one listener per worker (SO_REUSEPORT, kernel balances); shared: one listener polled by all " +
            "workers; acceptor: one thread accepts and hands connections to the workers in turn"),
    IDLE_STRATEGY("idle_strategy", ValueType.choice(IdleStrategyKind.class), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.idleStrategy = v, Config::idleStrategy,
        "what an idle worker does: block (in select), backoff (spin, yield, then park), spin (busy, one core each)"),
    BUSY_POLL_US("busy_poll_us", ValueType.integer(0, 1_000_000), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.busyPollUs = v, Config::busyPollUs,
        "with idle_strategy = \"block\": after events, poll (without blocking) this many microseconds before " +
            "blocking in select again; 0 blocks at once"),
    CPU_AFFINITY("cpu_affinity", ValueType.cpuAffinity(), Reload.RESTART, Cli.FLAG,
        (b, v) -> b.cpuAffinity = v, Config::cpuAffinityMode,
        "pin each worker to one CPU (Linux only): true = worker k on CPU k, \"cores\" = one per physical core, " +
            "\"l3\" = spread across L3 cache domains first; false (default) = not pinned"),

    // Upstream pools (issue 13).
    BALANCE("balance", ValueType.choice(Balance.class), Reload.LIVE, Cli.NONE,
        (b, v) -> b.balance = v, Config::balance,
        "how a pool picks a server: round_robin (smooth weighted), least_connections, random_two, source_hash"),
    CONNECT_ATTEMPTS("connect_attempts", ValueType.integer(1, 100), Reload.LIVE, Cli.NONE,
        (b, v) -> b.connectAttempts = v, Config::connectAttempts,
        "connect tries in all for one client; a failed connect is retried on a different server"),
    DNS_REFRESH_SECS("dns_refresh_secs", ValueType.integer(0, 86_400), Reload.LIVE, Cli.NONE,
        (b, v) -> b.dnsRefreshSecs = v, Config::dnsRefreshSecs,
        "seconds between re-resolutions of server host names; 0 resolves once"),
    HEALTH_CHECK_INTERVAL_MS(Scope.HEALTH_CHECK, "interval_ms", ValueType.integer(100, 3_600_000),
        (b, v) -> b.intervalMs = v, "milliseconds between two checks of one server"),
    HEALTH_CHECK_TIMEOUT_MS(Scope.HEALTH_CHECK, "timeout_ms", ValueType.integer(1, 3_600_000),
        (b, v) -> b.timeoutMs = v, "milliseconds one check may take"),
    HEALTH_CHECK_RISE(Scope.HEALTH_CHECK, "rise", ValueType.integer(1, 100),
        (b, v) -> b.rise = v, "successes in a row that mark a server up"),
    HEALTH_CHECK_FALL(Scope.HEALTH_CHECK, "fall", ValueType.integer(1, 100),
        (b, v) -> b.fall = v, "failures in a row that mark a server down"),
    HEALTH_CHECK_PORT(Scope.HEALTH_CHECK, "port", ValueType.integer(0, 65_535),
        (b, v) -> b.port = v, "check this port instead of the server's (0 = the server's)"),
    HEALTH_CHECK_SEND(Scope.HEALTH_CHECK, "send", ValueType.fromString(Escapes.EXPECTED, Escapes::decode,
        Escapes::encode), (b, v) -> b.send = v, "bytes sent after connecting (\\r, \\n, \\xNN escapes)"),
    HEALTH_CHECK_EXPECT(Scope.HEALTH_CHECK, "expect", ValueType.fromString(Escapes.EXPECTED, Escapes::decode,
        Escapes::encode), (b, v) -> b.expect = v,
        "the reply must start with these bytes (empty: connecting is enough)"),
    PASSIVE_HEALTH_CONSECUTIVE_FAILURES(Scope.PASSIVE_HEALTH, "consecutive_failures", ValueType.integer(0, 1000),
        (b, v) -> b.consecutiveFailures = v, "connect failures in a row that take a server out; 0 = never"),
    PASSIVE_HEALTH_EJECTION_SECS(Scope.PASSIVE_HEALTH, "ejection_secs", ValueType.integer(1, 300),
        (b, v) -> b.ejectionSecs = v, "seconds a server stays out (doubled on each repeat, at most 300)"),
    UPSTREAM_ADDR(Scope.UPSTREAM, "addr", ValueType.address(),
        (b, v) -> b.addr = v, "the server's HOST:PORT; a name with several addresses is one server per address"),
    UPSTREAM_WEIGHT(Scope.UPSTREAM, "weight", ValueType.integer(1, 256),
        (b, v) -> b.weight = v, "share of new connections relative to the other servers of the pool"),
    UPSTREAM_BACKUP(Scope.UPSTREAM, "backup", ValueType.bool(),
        (b, v) -> b.backup = v, "used only while no non-backup server of the pool is up"),
    UPSTREAM_MAX_CONNECTIONS(Scope.UPSTREAM, "max_connections", ValueType.integer(0, 10_000_000),
        (b, v) -> b.maxConnections = v, "open connections to this server at most; 0 = no limit"),
    UPSTREAM_POOL(Scope.UPSTREAM, "pool", PoolName.type(false),
        (b, v) -> b.pool = v, "the pool the server belongs to"),

    // Client identity and access (issue 14).
    SEND_PROXY_PROTOCOL("send_proxy_protocol", ValueType.choice(SendProxyProtocol.class), Reload.LIVE, Cli.NONE,
        (b, v) -> b.sendProxyProtocol = v, Config::sendProxyProtocol,
        "PROXY protocol header sent to the upstream before any client byte: off, v1 or v2"),
    ACCEPT_PROXY_PROTOCOL("accept_proxy_protocol", ValueType.bool(), Reload.LIVE, Cli.NONE,
        (b, v) -> b.acceptProxyProtocol = v, Config::acceptProxyProtocol,
        "clients must open with a PROXY header (v1 or v2); its address is the client's"),
    PROXY_PROTOCOL_TRUSTED("proxy_protocol_trusted", ValueType.cidrList(), Reload.LIVE, Cli.NONE,
        (b, v) -> b.proxyProtocolTrusted = v, Config::proxyProtocolTrusted,
        "CIDRs allowed to send a PROXY header (required with accept_proxy_protocol = true)"),
    PROXY_PROTOCOL_TIMEOUT_MS("proxy_protocol_timeout_ms", ValueType.integer(1, 3_600_000), Reload.LIVE, Cli.NONE,
        (b, v) -> b.proxyProtocolTimeoutMs = v, Config::proxyProtocolTimeoutMs,
        "the whole PROXY header must arrive within this (ms)"),
    ALLOW("allow", ValueType.cidrList(), Reload.LIVE, Cli.NONE,
        (b, v) -> b.allow = v, Config::allow,
        "CIDRs; when not empty, only these clients are served"),
    DENY("deny", ValueType.cidrList(), Reload.LIVE, Cli.NONE,
        (b, v) -> b.deny = v, Config::deny,
        "CIDRs refused; checked before allow"),
    MAX_CONNECTIONS_PER_CLIENT("max_connections_per_client", ValueType.integer(0, 10_000_000), Reload.LIVE,
        Cli.NONE, (b, v) -> b.maxConnectionsPerClient = v, Config::maxConnectionsPerClient,
        "open connections per client IP; 0 = no limit"),
    CLIENT_CONNECT_RATE("client_connect_rate", ValueType.integer(0, 1_000_000), Reload.LIVE, Cli.NONE,
        (b, v) -> b.clientConnectRate = v, Config::clientConnectRate,
        "new connections per second per client IP (token bucket); 0 = no limit"),
    CLIENT_CONNECT_BURST("client_connect_burst", ValueType.integer(0, 1_000_000), Reload.LIVE, Cli.NONE,
        (b, v) -> b.clientConnectBurst = v, Config::clientConnectBurst,
        "token bucket size; 0 = the same as client_connect_rate"),
    CLIENT_IPV6_PREFIX("client_ipv6_prefix", ValueType.integer(1, 128), Reload.LIVE, Cli.NONE,
        (b, v) -> b.clientIpv6Prefix = v, Config::clientIpv6Prefix,
        "IPv6 clients count as one client per prefix of this length, for limits and per-client metrics"),

    // TLS routing by SNI (issue 15).
    ROUTE_SNI(Scope.ROUTE, "sni", ValueType.list("an array of server names such as \"api.example.com\" or " +
        "\"*.example.com\"", String.class, Route::normalizeServerName, s -> s),
        (b, v) -> b.sni = v, "exact server names and leading wildcards, case-insensitive, trailing dot ignored"),
    ROUTE_ALPN(Scope.ROUTE, "alpn", ValueType.list("an array of ALPN protocol names such as \"h2\"", String.class,
        Route::checkAlpn, s -> s),
        (b, v) -> b.alpn = v, "also require one of these ALPN protocols (empty: any)"),
    ROUTE_POOL(Scope.ROUTE, "pool", PoolName.type(false),
        (b, v) -> b.pool = v, "the pool matching connections go to"),
    POOL_BALANCE(Scope.POOL, "balance", ValueType.choice(Balance.class),
        (b, v) -> b.balance = v, "this pool's balancing (default: the top-level balance)"),
    SNI_DEFAULT_POOL("sni_default_pool", PoolName.type(true), Reload.LIVE, Cli.NONE,
        (b, v) -> b.sniDefaultPool = v, Config::sniDefaultPool,
        "pool for no SNI, no matching route or not TLS (\"\" = close, reason no_route)"),
    SNI_PEEK_TIMEOUT_MS("sni_peek_timeout_ms", ValueType.integer(1, 3_600_000), Reload.LIVE, Cli.NONE,
        (b, v) -> b.sniPeekTimeoutMs = v, Config::sniPeekTimeoutMs,
        "the ClientHello must be complete within this (ms)"),
    SNI_PEEK_MAX_BYTES("sni_peek_max_bytes", ValueType.integer(512, 16_777_216), Reload.LIVE, Cli.NONE,
        (b, v) -> b.sniPeekMaxBytes = v, Config::sniPeekMaxBytes,
        "the ClientHello may be at most this large (bytes)"),

    // Hot reload and the admin API (issue 16).
    REMOVED_SERVER_DRAIN_SECS("removed_server_drain_secs", ValueType.integer(0, 31_536_000), Reload.LIVE, Cli.NONE,
        (b, v) -> b.removedServerDrainSecs = v, Config::removedServerDrainSecs,
        "after a reload removes a server, its connections are closed after this long; 0 = never"),
    ADMIN_TOKEN("admin_token", ValueType.string("a string (\"\" = the admin API is off)", s -> s), Reload.LIVE,
        Cli.NONE, (b, v) -> b.adminToken = v, Config::adminToken,
        "bearer token the /admin/ endpoints require; \"\" turns the admin API off"),

    // Access log (issue 17).
    ACCESS_LOG("access_log", ValueType.fromString(AccessLog.EXPECTED, AccessLog::parse, AccessLog::toString),
        Reload.LIVE, Cli.NONE, (b, v) -> b.accessLog = v, Config::accessLog,
        "one line per closed connection: off, stdout or a file path"),
    ACCESS_LOG_FORMAT("access_log_format", ValueType.choice(AccessLogFormat.class), Reload.LIVE, Cli.NONE,
        (b, v) -> b.accessLogFormat = v, Config::accessLogFormat,
        "access log lines as text (like HAProxy's tcplog) or json");

    /** Whether a running proxy can take a new value. */
    enum Reload
    {
        LIVE,
        RESTART
    }

    /** Whether the key has a CLI flag of its own. */
    enum Cli
    {
        FLAG,
        NONE
    }

    private final Scope<?> scope;
    private final String keyName;
    private final String tomlName;
    private final boolean reloadable;
    private final boolean hasFlag;
    private final String description;
    private final KeyBinding<?, ?> binding;

    <T> ConfigKey(
        final String keyName, final ValueType<T> type, final Reload reload, final Cli cli,
        final BiConsumer<ConfigValues, T> setter, final Function<Config, T> getter, final String description)
    {
        this(Scope.TOP, keyName, keyName, reload == Reload.LIVE, cli == Cli.FLAG, description,
            new KeyBinding<>(Scope.TOP, type, setter, getter));
    }

    /** A key inside a table: always reloadable, never a flag. */
    <B, T> ConfigKey(
        final Scope<B> scope, final String keyName, final ValueType<T> type, final BiConsumer<B, T> setter,
        final String description)
    {
        this(scope, keyName, scope.table() + "." + keyName, true, false, description,
            new KeyBinding<>(scope, type, setter, null));
    }

    ConfigKey(
        final Scope<?> scope, final String keyName, final String tomlName, final boolean reloadable,
        final boolean hasFlag, final String description, final KeyBinding<?, ?> binding)
    {
        this.scope = scope;
        this.keyName = keyName;
        this.tomlName = tomlName;
        this.reloadable = reloadable;
        this.hasFlag = hasFlag;
        this.description = description;
        this.binding = binding;
    }

    /**
     * @return the key as written in {@code proxy.toml}: {@code workers}, or {@code health_check.rise} for a key
     *     inside a table.
     */
    public String tomlName()
    {
        return tomlName;
    }

    /** @return the key's name inside its table ({@code rise}), the same as {@link #tomlName()} at the top level. */
    public String keyName()
    {
        return keyName;
    }

    /**
     * @return the table the key is written in ({@code health_check}, {@code upstream}, {@code route}, {@code pool}),
     *     or "" for the top level.
     */
    public String table()
    {
        return scope.table();
    }

    /** @return the CLI flag for this key, e.g. {@code --listen-addr} (only keys with {@link #hasFlag()} have one). */
    public String flag()
    {
        return "--" + tomlName.replace('_', '-');
    }

    /**
     * @return whether the CLI has a flag for this key; keys added for pools, access, routing, reload and the access
     *     log are set in the file (or the builder) only.
     */
    public boolean hasFlag()
    {
        return hasFlag;
    }

    /** @return whether a running proxy can take a new value on reload; the others need a restart. */
    public boolean reloadable()
    {
        return reloadable;
    }

    /** @return the kind of value. */
    public KeyKind kind()
    {
        return binding.type().kind();
    }

    /** @return the smallest allowed value of an integer key. */
    public long min()
    {
        return binding.type().min();
    }

    /** @return the largest allowed value of an integer key. */
    public long max()
    {
        return binding.type().max();
    }

    /** @return what the key means. */
    public String description()
    {
        return description;
    }

    /** @return the allowed values of a choice key (a copy). */
    public String[] choices()
    {
        return binding.type().choices();
    }

    /** @return what a value of this key must look like, for error messages. */
    public String expected()
    {
        return binding.type().expected();
    }

    Scope<?> scope()
    {
        return scope;
    }

    /** The TOML value has the type this key takes (checked before {@link #setIn}, which would coerce). */
    boolean tomlTypeFits(final Object tomlValue)
    {
        return binding.type().tomlTypeFits(tomlValue);
    }

    /**
     * Parse a loosely typed value and set it into a builder of this key's scope.
     *
     * @throws IllegalArgumentException saying what was expected when the value does not fit the key.
     */
    void setIn(final Object builder, final Object value)
    {
        binding.set(builder, value);
    }

    /** @return the top-level key's value in {@code config} as written in TOML, or null when it is not set. */
    Object tomlValue(final Config config)
    {
        return binding.tomlValue(config);
    }

    /**
     * @param name as written in the file ({@code health_check.rise} for a key inside a table).
     * @return the key, or null if there is none of that name.
     */
    public static ConfigKey byTomlName(final String name)
    {
        for (final ConfigKey key : values())
        {
            if (key.tomlName.equals(name))
            {
                return key;
            }
        }
        return null;
    }

    /**
     * The known key nearest to an unknown name (edit distance), for "did you mean" hints.
     *
     * @param name the unknown name.
     * @return the nearest key, or null if none is reasonably close.
     */
    public static ConfigKey nearest(final String name)
    {
        final List<String> names = new ArrayList<>();
        for (final ConfigKey key : values())
        {
            names.add(key.tomlName);
        }
        final String nearest = Spelling.nearest(name, names);
        return nearest == null ? null : byTomlName(nearest);
    }
}
