package io.tcpproxy;

import java.util.Locale;

/**
 * Every configuration key: its name in {@code proxy.toml} (the CLI flag is the same name with dashes), the kind of
 * value it takes, its range and its meaning. The TOML loader, the CLI and {@link Config.Builder#set(ConfigKey, Object)}
 * all go through this one table.
 */
public enum ConfigKey
{
    LISTEN_ADDR("listen_addr", Kind.ADDRESS, 0, 0, "where clients connect (HOST:PORT; port 0 binds a free port)"),
    TARGET_ADDR("target_addr", Kind.ADDRESS, 0, 0, "the upstream to forward to (HOST:PORT; host names resolved)"),
    METRICS_ADDR("metrics_addr", Kind.ADDRESS_OR_EMPTY, 0, 0, "HTTP metrics endpoint (HOST:PORT); empty disables"),
    GRACE_PERIOD_SECS("grace_period_secs", Kind.INTEGER, 0, 86_400, "how long shutdown waits for open connections"),
    METRICS_LOG_INTERVAL_SECS(
        "metrics_log_interval_secs", Kind.INTEGER, 0, 86_400, "periodic console summary interval; 0 disables"),
    CHANNEL_BUFFER_SIZE(
        "channel_buffer_size", Kind.INTEGER, 16, 16_777_216, "metric events each worker's ring holds"),
    WORKERS("workers", Kind.INTEGER, 0, 1024, "selector worker threads; 0 = available processors"),
    BUFFER_SIZE("buffer_size", Kind.INTEGER, 512, 16_777_216, "relay buffer bytes (one read at most this much)"),
    BUFFER_POOL_MB(
        "buffer_pool_mb", Kind.INTEGER, 1, 1_048_576,
        "relay buffer memory per worker (MiB); when used up, reading pauses instead of allocating"),
    MAX_CONNECTIONS(
        "max_connections", Kind.INTEGER, 1, 10_000_000, "beyond it new clients are closed at once, and counted"),
    CONNECT_TIMEOUT_MS("connect_timeout_ms", Kind.INTEGER, 1, 3_600_000, "upstream connect deadline (ms)"),
    IDLE_TIMEOUT_SECS(
        "idle_timeout_secs", Kind.INTEGER, 0, 31_536_000,
        "close a connection silent in both directions this long; 0 disables"),
    LOG_EVENTS(
        "log_events", Kind.CHOICE, 0, 0,
        "console events: off, connections (open/close lines), all (plus byte lines, coalesced)",
        "off", "connections", "all"),
    METRICS_CLIENT_TOP_K(
        "metrics_client_top_k", Kind.INTEGER, 0, 100_000,
        "per-client figures kept for the top K client IPs by bytes (the rest summed as \"other\"); 0 disables"),
    METRICS_CLIENT_LABELS(
        "metrics_client_labels", Kind.BOOLEAN, 0, 0,
        "also export the per-client figures to Prometheus, labelled by client IP (bounded by metrics_client_top_k)"),
    ACCEPT_MODE(
        "accept_mode", Kind.CHOICE, 0, 0,
        "reuse_port: one listener per worker (SO_REUSEPORT, kernel balances); shared: one listener polled by all " +
            "workers; acceptor: one thread accepts and hands connections to the workers in turn",
        "reuse_port", "shared", "acceptor"),
    IDLE_STRATEGY(
        "idle_strategy", Kind.CHOICE, 0, 0,
        "what an idle worker does: block (in select), backoff (spin, yield, then park), spin (busy, one core each)",
        "block", "backoff", "spin"),
    BUSY_POLL_US(
        "busy_poll_us", Kind.INTEGER, 0, 1_000_000,
        "with idle_strategy = \"block\": after events, poll (without blocking) this many microseconds before " +
            "blocking in select again; 0 blocks at once"),
    CPU_AFFINITY(
        "cpu_affinity", Kind.BOOLEAN, 0, 0, "pin worker k to CPU k (Linux only); off by default");

    /**
     * The kind of value a key takes.
     */
    public enum Kind
    {
        /** HOST:PORT. */
        ADDRESS,
        /** HOST:PORT or the empty string. */
        ADDRESS_OR_EMPTY,
        /** An integer within [min, max]. */
        INTEGER,
        /** true or false. */
        BOOLEAN,
        /** One string out of {@link ConfigKey#choices()}. */
        CHOICE
    }

    private final String tomlName;
    private final Kind kind;
    private final long min;
    private final long max;
    private final String description;
    private final String[] choices;

    ConfigKey(
        final String tomlName,
        final Kind kind,
        final long min,
        final long max,
        final String description,
        final String... choices)
    {
        this.tomlName = tomlName;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.description = description;
        this.choices = choices;
    }

    /**
     * @return the key as written in {@code proxy.toml}.
     */
    public String tomlName()
    {
        return tomlName;
    }

    /**
     * @return the CLI flag for this key, e.g. {@code --listen-addr}.
     */
    public String flag()
    {
        return "--" + tomlName.replace('_', '-');
    }

    /**
     * @return the kind of value.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return the smallest allowed value of an integer key.
     */
    public long min()
    {
        return min;
    }

    /**
     * @return the largest allowed value of an integer key.
     */
    public long max()
    {
        return max;
    }

    /**
     * @return what the key means.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return the allowed values of a choice key (a copy).
     */
    public String[] choices()
    {
        return choices.clone();
    }

    /**
     * @return what a value of this key must look like, for error messages.
     */
    public String expected()
    {
        switch (kind)
        {
            case ADDRESS:
                return "a string HOST:PORT, e.g. \"127.0.0.1:3000\"";
            case ADDRESS_OR_EMPTY:
                return "a string HOST:PORT, e.g. \"127.0.0.1:9090\", or \"\" to disable";
            case INTEGER:
                return "an integer from " + min + " to " + max;
            case BOOLEAN:
                return "true or false";
            default:
                return "one of \"" + String.join("\", \"", choices) + "\"";
        }
    }

    /**
     * Find a key by its TOML name.
     *
     * @param name as written in the file.
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
        final String lower = name.toLowerCase(Locale.ROOT).replace('-', '_');
        ConfigKey best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final ConfigKey key : values())
        {
            final int distance = editDistance(lower, key.tomlName);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = key;
            }
        }
        return best != null && bestDistance <= Math.max(3, best.tomlName.length() / 3) ? best : null;
    }

    static int editDistance(final String a, final String b)
    {
        final int[] previous = new int[b.length() + 1];
        final int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            System.arraycopy(current, 0, previous, 0, current.length);
        }
        return previous[b.length()];
    }
}
