package io.tcpproxy;

import io.tcpproxy.config.TomlConfigLoader;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

import static io.tcpproxy.config.TomlConfigLoader.describe;

/**
 * The proxy's settings: immutable, every key with a default, validated once in {@link Builder#build()}.
 * Three front doors lead here: {@link #fromFile(Path)} (TOML), the CLI flags, and {@link #builder()}.
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

    private final HostPort listenAddress;
    private final HostPort targetAddress;
    private final HostPort metricsAddress;
    private final int gracePeriodSecs;
    private final int metricsLogIntervalSecs;
    private final int channelBufferSize;
    private final int workers;
    private final int bufferSizeBytes;
    private final int bufferPoolMb;
    private final int maxConnections;
    private final int connectTimeoutMs;
    private final int idleTimeoutSecs;
    private final LogEvents logEvents;
    private final int metricsClientTopK;
    private final boolean metricsClientLabels;
    private final AcceptMode acceptMode;
    private final IdleStrategyKind idleStrategy;
    private final int busyPollUs;
    private final boolean cpuAffinity;

    private Config(final Builder builder)
    {
        listenAddress = builder.listenAddress;
        targetAddress = builder.targetAddress;
        metricsAddress = builder.metricsAddress;
        gracePeriodSecs = builder.gracePeriodSecs;
        metricsLogIntervalSecs = builder.metricsLogIntervalSecs;
        channelBufferSize = builder.channelBufferSize;
        workers = builder.workers;
        bufferSizeBytes = builder.bufferSizeBytes;
        bufferPoolMb = builder.bufferPoolMb;
        maxConnections = builder.maxConnections;
        connectTimeoutMs = builder.connectTimeoutMs;
        idleTimeoutSecs = builder.idleTimeoutSecs;
        logEvents = builder.logEvents;
        metricsClientTopK = builder.metricsClientTopK;
        metricsClientLabels = builder.metricsClientLabels;
        acceptMode = builder.acceptMode;
        idleStrategy = builder.idleStrategy;
        busyPollUs = builder.busyPollUs;
        cpuAffinity = builder.cpuAffinity;
    }

    /**
     * Read a TOML file. Keys not in the file keep their defaults.
     *
     * @param path of the file.
     * @return the configuration.
     * @throws ConfigException naming the key, the line and what was expected, when the file cannot be used.
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
        return new Builder();
    }

    /**
     * @return a builder holding this configuration's values.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder();
        for (final Map.Entry<ConfigKey, Object> entry : values().entrySet())
        {
            builder.set(entry.getKey(), entry.getValue());
        }
        return builder;
    }

    /**
     * Every key with its value, as it would be written in TOML (addresses as strings, choices lower case).
     *
     * @return the values in key order.
     */
    public Map<ConfigKey, Object> values()
    {
        final Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        values.put(ConfigKey.LISTEN_ADDR, listenAddress.toString());
        values.put(ConfigKey.TARGET_ADDR, targetAddress.toString());
        values.put(ConfigKey.METRICS_ADDR, metricsAddress == null ? "" : metricsAddress.toString());
        values.put(ConfigKey.GRACE_PERIOD_SECS, (long)gracePeriodSecs);
        values.put(ConfigKey.METRICS_LOG_INTERVAL_SECS, (long)metricsLogIntervalSecs);
        values.put(ConfigKey.CHANNEL_BUFFER_SIZE, (long)channelBufferSize);
        values.put(ConfigKey.WORKERS, (long)workers);
        values.put(ConfigKey.BUFFER_SIZE, (long)bufferSizeBytes);
        values.put(ConfigKey.BUFFER_POOL_MB, (long)bufferPoolMb);
        values.put(ConfigKey.MAX_CONNECTIONS, (long)maxConnections);
        values.put(ConfigKey.CONNECT_TIMEOUT_MS, (long)connectTimeoutMs);
        values.put(ConfigKey.IDLE_TIMEOUT_SECS, (long)idleTimeoutSecs);
        values.put(ConfigKey.LOG_EVENTS, logEvents.name().toLowerCase(Locale.ROOT));
        values.put(ConfigKey.METRICS_CLIENT_TOP_K, (long)metricsClientTopK);
        values.put(ConfigKey.METRICS_CLIENT_LABELS, metricsClientLabels);
        values.put(ConfigKey.ACCEPT_MODE, acceptMode.name().toLowerCase(Locale.ROOT));
        values.put(ConfigKey.IDLE_STRATEGY, idleStrategy.name().toLowerCase(Locale.ROOT));
        values.put(ConfigKey.BUSY_POLL_US, (long)busyPollUs);
        values.put(ConfigKey.CPU_AFFINITY, cpuAffinity);
        return values;
    }

    /** @return where clients connect. */
    public HostPort listenAddress()
    {
        return listenAddress;
    }

    /** @return the upstream. */
    public HostPort targetAddress()
    {
        return targetAddress;
    }

    /** @return the metrics endpoint, or null when disabled. */
    public HostPort metricsAddress()
    {
        return metricsAddress;
    }

    /** @return how long a graceful shutdown waits for open connections. */
    public int gracePeriodSecs()
    {
        return gracePeriodSecs;
    }

    /** @return the console summary interval, 0 when disabled. */
    public int metricsLogIntervalSecs()
    {
        return metricsLogIntervalSecs;
    }

    /** @return metric events each worker's ring holds. */
    public int channelBufferSize()
    {
        return channelBufferSize;
    }

    /** @return the configured worker count, 0 meaning one per available processor. */
    public int workers()
    {
        return workers;
    }

    /** @return the worker threads that will run: {@link #workers()}, or the processor count when it is 0. */
    public int effectiveWorkers()
    {
        return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    }

    /** @return relay buffer size in bytes. */
    public int bufferSizeBytes()
    {
        return bufferSizeBytes;
    }

    /** @return relay buffer memory per worker in MiB. */
    public int bufferPoolMb()
    {
        return bufferPoolMb;
    }

    /** @return open connections beyond which new clients are closed at once. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @return upstream connect deadline in milliseconds. */
    public int connectTimeoutMs()
    {
        return connectTimeoutMs;
    }

    /** @return idle timeout in seconds, 0 when disabled. */
    public int idleTimeoutSecs()
    {
        return idleTimeoutSecs;
    }

    /** @return what the console logs per connection. */
    public LogEvents logEvents()
    {
        return logEvents;
    }

    /** @return how many client IPs get their own figures (0 disables per-client figures). */
    public int metricsClientTopK()
    {
        return metricsClientTopK;
    }

    /** @return whether per-client figures are exported to Prometheus as labelled series. */
    public boolean metricsClientLabels()
    {
        return metricsClientLabels;
    }

    /** @return how clients are accepted. */
    public AcceptMode acceptMode()
    {
        return acceptMode;
    }

    /** @return what an idle worker does. */
    public IdleStrategyKind idleStrategy()
    {
        return idleStrategy;
    }

    /** @return how long a blocking worker polls after events before it blocks again, in microseconds. */
    public int busyPollUs()
    {
        return busyPollUs;
    }

    /** @return whether workers are pinned to CPUs. */
    public boolean cpuAffinity()
    {
        return cpuAffinity;
    }

    public String toString()
    {
        return "Config" + values();
    }

    /**
     * Builds a {@link Config}; starts with every default.
     */
    public static final class Builder
    {
        private HostPort listenAddress = HostPort.of("127.0.0.1", 3000);
        private HostPort targetAddress = HostPort.of("127.0.0.1", 8081);
        private HostPort metricsAddress = HostPort.of("127.0.0.1", 9090);
        private int gracePeriodSecs = 30;
        private int metricsLogIntervalSecs = 10;
        private int channelBufferSize = 1000;
        private int workers = 0;
        private int bufferSizeBytes = 16384;
        private int bufferPoolMb = 64;
        private int maxConnections = 10_000;
        private int connectTimeoutMs = 5000;
        private int idleTimeoutSecs = 0;
        private LogEvents logEvents = LogEvents.CONNECTIONS;
        private int metricsClientTopK = 20;
        private boolean metricsClientLabels = false;
        private AcceptMode acceptMode = AcceptMode.REUSE_PORT;
        private IdleStrategyKind idleStrategy = IdleStrategyKind.BLOCK;
        private int busyPollUs = 0;
        private boolean cpuAffinity = false;

        private Builder()
        {
        }

        /**
         * Set a key from a loosely typed value: a {@link String} for addresses and choices, any {@link Number}
         * (or a numeric String) for integers, a {@link Boolean} (or "true"/"false") for booleans.
         *
         * @param key   to set.
         * @param value its value.
         * @return this builder.
         * @throws IllegalArgumentException saying what was expected when the value does not fit the key.
         */
        public Builder set(final ConfigKey key, final Object value)
        {
            switch (key.kind())
            {
                case ADDRESS:
                case ADDRESS_OR_EMPTY:
                    setAddress(key, stringValue(key, value));
                    break;
                case INTEGER:
                    setInteger(key, integerValue(key, value));
                    break;
                case BOOLEAN:
                    setBoolean(key, booleanValue(key, value));
                    break;
                default:
                    setChoice(key, stringValue(key, value));
                    break;
            }
            return this;
        }

        private void setAddress(final ConfigKey key, final String text)
        {
            final HostPort address = key.kind() == ConfigKey.Kind.ADDRESS_OR_EMPTY && text.isBlank() ?
                null : HostPort.parse(text);
            switch (key)
            {
                case LISTEN_ADDR:
                    listenAddress = address;
                    break;
                case TARGET_ADDR:
                    targetAddress = address;
                    break;
                default:
                    metricsAddress = address;
                    break;
            }
        }

        private void setInteger(final ConfigKey key, final long value)
        {
            if (value < key.min() || value > key.max())
            {
                throw new IllegalArgumentException("expected " + key.expected() + ", got " + value);
            }
            final int v = (int)value;
            switch (key)
            {
                case GRACE_PERIOD_SECS:
                    gracePeriodSecs = v;
                    break;
                case METRICS_LOG_INTERVAL_SECS:
                    metricsLogIntervalSecs = v;
                    break;
                case CHANNEL_BUFFER_SIZE:
                    channelBufferSize = v;
                    break;
                case WORKERS:
                    workers = v;
                    break;
                case BUFFER_SIZE:
                    bufferSizeBytes = v;
                    break;
                case BUFFER_POOL_MB:
                    bufferPoolMb = v;
                    break;
                case MAX_CONNECTIONS:
                    maxConnections = v;
                    break;
                case CONNECT_TIMEOUT_MS:
                    connectTimeoutMs = v;
                    break;
                case IDLE_TIMEOUT_SECS:
                    idleTimeoutSecs = v;
                    break;
                case BUSY_POLL_US:
                    busyPollUs = v;
                    break;
                default:
                    metricsClientTopK = v;
                    break;
            }
        }

        private void setBoolean(final ConfigKey key, final boolean value)
        {
            if (key == ConfigKey.METRICS_CLIENT_LABELS)
            {
                metricsClientLabels = value;
            }
            else
            {
                cpuAffinity = value;
            }
        }

        private void setChoice(final ConfigKey key, final String text)
        {
            final String choice = text.trim().toLowerCase(Locale.ROOT);
            boolean known = false;
            for (final String allowed : key.choices())
            {
                known |= allowed.equals(choice);
            }
            if (!known)
            {
                throw new IllegalArgumentException("expected " + key.expected() + ", got \"" + text + "\"");
            }
            final String constant = choice.toUpperCase(Locale.ROOT);
            switch (key)
            {
                case LOG_EVENTS:
                    logEvents = LogEvents.valueOf(constant);
                    break;
                case ACCEPT_MODE:
                    acceptMode = AcceptMode.valueOf(constant);
                    break;
                default:
                    idleStrategy = IdleStrategyKind.valueOf(constant);
                    break;
            }
        }

        private static String stringValue(final ConfigKey key, final Object value)
        {
            if (!(value instanceof String))
            {
                throw new IllegalArgumentException("expected " + key.expected() + ", got " + describe(value));
            }
            return (String)value;
        }

        private static long integerValue(final ConfigKey key, final Object value)
        {
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)
            {
                return ((Number)value).longValue();
            }
            if (value instanceof String)
            {
                try
                {
                    return Long.parseLong(((String)value).trim());
                }
                catch (final NumberFormatException ignore)
                {
                    // fall through to the common message
                }
            }
            throw new IllegalArgumentException("expected " + key.expected() + ", got " + describe(value));
        }

        private static boolean booleanValue(final ConfigKey key, final Object value)
        {
            if (value instanceof Boolean)
            {
                return (Boolean)value;
            }
            if ("true".equals(value) || "false".equals(value))
            {
                return Boolean.parseBoolean((String)value);
            }
            throw new IllegalArgumentException("expected " + key.expected() + ", got " + describe(value));
        }

        /** @param address where clients connect. @return this builder. */
        public Builder listenAddress(final String address)
        {
            return set(ConfigKey.LISTEN_ADDR, address);
        }

        /** @param address the upstream. @return this builder. */
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
            logEvents = events;
            return this;
        }

        /** @param k client IPs with their own figures. @return this builder. */
        public Builder metricsClientTopK(final int k)
        {
            return set(ConfigKey.METRICS_CLIENT_TOP_K, k);
        }

        /** @param enabled export per-client series to Prometheus. @return this builder. */
        public Builder metricsClientLabels(final boolean enabled)
        {
            metricsClientLabels = enabled;
            return this;
        }

        /** @param mode how clients are accepted. @return this builder. */
        public Builder acceptMode(final AcceptMode mode)
        {
            acceptMode = mode;
            return this;
        }

        /** @param kind what an idle worker does. @return this builder. */
        public Builder idleStrategy(final IdleStrategyKind kind)
        {
            idleStrategy = kind;
            return this;
        }

        /**
         * @param us how long a blocking worker polls after events before it blocks again; 0 blocks at once.
         * @return this builder.
         */
        public Builder busyPollUs(final int us)
        {
            return set(ConfigKey.BUSY_POLL_US, us);
        }

        /** @param enabled pin workers to CPUs. @return this builder. */
        public Builder cpuAffinity(final boolean enabled)
        {
            cpuAffinity = enabled;
            return this;
        }

        /**
         * @return the configuration.
         * @throws ConfigException when the settings are inconsistent.
         */
        public Config build()
        {
            if ((long)bufferPoolMb * 1024 * 1024 < 2L * bufferSizeBytes)
            {
                throw new ConfigException(ConfigKey.BUFFER_POOL_MB.tomlName(), 0,
                    "buffer_pool_mb must hold at least two buffers of buffer_size (" + bufferSizeBytes + " bytes)");
            }
            return new Config(this);
        }
    }
}
