package io.tcpproxy.config;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Walks every {@link ConfigKey}: each parses a valid sample (in TOML and through its builder), rejects an invalid
 * one with the exact one-line message, and says whether it reloads. {@link #sample} is a switch expression over the
 * enum without a default branch, so a key added without a sample here does not compile.
 */
class ConfigKeyTest
{
    /** A valid TOML value, an invalid one, and what the error says after {@code KEY: }. */
    private record Sample(Object valid, Object invalid, String message)
    {
    }

    private static Sample sample(final ConfigKey key)
    {
        return switch (key)
        {
            case LISTEN_ADDR -> new Sample("0.0.0.0:4000", "localhost",
                "expected HOST:PORT, e.g. 127.0.0.1:3000, got \"localhost\"");
            case TARGET_ADDR -> new Sample("example.com:80", 80L,
                "expected a string HOST:PORT, e.g. \"127.0.0.1:3000\", got the integer 80");
            case METRICS_ADDR -> new Sample("", "[::1]", "expected [IPv6]:PORT, e.g. [::1]:3000, got \"[::1]\"");
            case GRACE_PERIOD_SECS -> integer(5, -1, 0, 86_400);
            case METRICS_LOG_INTERVAL_SECS -> integer(0, 86_401, 0, 86_400);
            case CHANNEL_BUFFER_SIZE -> integer(16, 15, 16, 16_777_216);
            case WORKERS -> integer(4, 1025, 0, 1024);
            case BUFFER_SIZE -> integer(512, 511, 512, 16_777_216);
            case BUFFER_POOL_MB -> integer(1, 0, 1, 1_048_576);
            case MAX_CONNECTIONS -> integer(1, 0, 1, 10_000_000);
            case CONNECT_TIMEOUT_MS -> integer(1, 0, 1, 3_600_000);
            case IDLE_TIMEOUT_SECS -> integer(60, -1, 0, 31_536_000);
            case LOG_EVENTS -> new Sample("all", "some",
                "expected one of \"off\", \"connections\", \"all\", got \"some\"");
            case METRICS_CLIENT_TOP_K -> integer(0, 100_001, 0, 100_000);
            case METRICS_CLIENT_LABELS -> new Sample(true, "yes", "expected true or false, got the string \"yes\"");
            case ACCEPT_MODE -> new Sample("acceptor", "fork",
                "expected one of \"reuse_port\", \"shared\", \"acceptor\", got \"fork\"");
            case IDLE_STRATEGY -> new Sample("spin", "sleep",
                "expected one of \"block\", \"backoff\", \"spin\", got \"sleep\"");
            case BUSY_POLL_US -> integer(50, 1_000_001, 0, 1_000_000);
            case CPU_AFFINITY -> new Sample("cores", 1L,
                "expected true, false, \"cores\" or \"l3\", got the integer 1");
            case BALANCE -> new Sample("source_hash", "weighted", "expected one of \"round_robin\", " +
                "\"least_connections\", \"random_two\", \"source_hash\", got \"weighted\"");
            case CONNECT_ATTEMPTS -> integer(1, 0, 1, 100);
            case DNS_REFRESH_SECS -> integer(0, 86_401, 0, 86_400);
            case HEALTH_CHECK_INTERVAL_MS -> integer(100, 99, 100, 3_600_000);
            case HEALTH_CHECK_TIMEOUT_MS -> integer(1, 0, 1, 3_600_000);
            case HEALTH_CHECK_RISE -> integer(1, 0, 1, 100);
            case HEALTH_CHECK_FALL -> integer(100, 101, 1, 100);
            case HEALTH_CHECK_PORT -> integer(8008, 65_536, 0, 65_535);
            case HEALTH_CHECK_SEND -> new Sample("PING\\r\\n", "\\x4", "expected a string of at most 4096 bytes " +
                "with \\r, \\n, \\t, \\0, \\\\ and \\xNN escapes, got \"\\x4\" " +
                "(\\x must be followed by two hex digits)");
            case HEALTH_CHECK_EXPECT -> new Sample("+PONG", "\\q", "expected a string of at most 4096 bytes " +
                "with \\r, \\n, \\t, \\0, \\\\ and \\xNN escapes, got \"\\q\" (unknown escape \\q)");
            case PASSIVE_HEALTH_CONSECUTIVE_FAILURES -> integer(0, 1001, 0, 1000);
            case PASSIVE_HEALTH_EJECTION_SECS -> integer(300, 301, 1, 300);
            case UPSTREAM_ADDR -> new Sample("[::1]:5432", "10.0.0.1",
                "expected HOST:PORT, e.g. 127.0.0.1:3000, got \"10.0.0.1\"");
            case UPSTREAM_WEIGHT -> integer(256, 0, 1, 256);
            case UPSTREAM_BACKUP -> new Sample(true, "no", "expected true or false, got the string \"no\"");
            case UPSTREAM_MAX_CONNECTIONS -> integer(0, -1, 0, 10_000_000);
            case UPSTREAM_POOL -> new Sample("api", "a b",
                "expected a pool name (letters, digits, '_', '-', '.'), got \"a b\"");
            case SEND_PROXY_PROTOCOL -> new Sample("v2", "v3", "expected one of \"off\", \"v1\", \"v2\", got \"v3\"");
            case ACCEPT_PROXY_PROTOCOL -> new Sample(true, "on", "expected true or false, got the string \"on\"");
            case PROXY_PROTOCOL_TRUSTED -> new Sample(List.of("10.0.0.0/8", "::1"), List.of("10.0.0.0/33"),
                "expected a prefix length from 0 to 32 after the slash, got \"10.0.0.0/33\"");
            case PROXY_PROTOCOL_TIMEOUT_MS -> integer(3000, 0, 1, 3_600_000);
            case ALLOW -> new Sample(List.of("192.0.2.7"), List.of("10.0.0.1/8"),
                "\"10.0.0.1/8\" has bits set past the /8 prefix (did you mean \"10.0.0.0/8\"?)");
            case DENY -> new Sample(List.of("2001:db8::/32"), List.of("example.com"),
                "expected an IPv4 or IPv6 address or CIDR, e.g. \"10.0.0.0/8\" or \"::1\", got \"example.com\"");
            case MAX_CONNECTIONS_PER_CLIENT -> integer(10, -1, 0, 10_000_000);
            case CLIENT_CONNECT_RATE -> integer(100, 1_000_001, 0, 1_000_000);
            case CLIENT_CONNECT_BURST -> integer(0, -1, 0, 1_000_000);
            case CLIENT_IPV6_PREFIX -> integer(128, 0, 1, 128);
            case ROUTE_SNI -> new Sample(List.of("API.Example.com."), List.of("a.*.example.com"),
                "expected server names such as \"api.example.com\" or \"*.example.com\" (a wildcard only as the " +
                "first label), got \"a.*.example.com\"");
            case ROUTE_ALPN -> new Sample(List.of("h2", "http/1.1"), List.of(""),
                "expected ALPN protocol names of 1 to 255 characters such as \"h2\", got \"\"");
            case ROUTE_POOL -> new Sample("default", "",
                "expected a pool name (letters, digits, '_', '-', '.'), got \"\"");
            case POOL_BALANCE -> new Sample("random_two", "fastest", "expected one of \"round_robin\", " +
                "\"least_connections\", \"random_two\", \"source_hash\", got \"fastest\"");
            case SNI_DEFAULT_POOL -> new Sample("", "no pool",
                "expected a pool name (letters, digits, '_', '-', '.') or \"\", got \"no pool\"");
            case SNI_PEEK_TIMEOUT_MS -> integer(5000, 0, 1, 3_600_000);
            case SNI_PEEK_MAX_BYTES -> integer(512, 511, 512, 16_777_216);
            case REMOVED_SERVER_DRAIN_SECS -> integer(2, -1, 0, 31_536_000);
            case ADMIN_TOKEN -> new Sample("s3cret", 42L,
                "expected a string (\"\" = the admin API is off), got the integer 42");
            case ACCESS_LOG -> new Sample("stdout", "/nonexistent-dir/x.log", "expected \"off\", \"stdout\" or the " +
                "path of a writable file, got \"/nonexistent-dir/x.log\" (directory /nonexistent-dir does not exist)");
            case ACCESS_LOG_FORMAT -> new Sample("json", "xml", "expected one of \"text\", \"json\", got \"xml\"");
        };
    }

    private static Sample integer(final long valid, final long invalid, final long min, final long max)
    {
        return new Sample(valid, invalid, "expected an integer from " + min + " to " + max + ", got " + invalid);
    }

    @Test
    void everyKeyReadsItsValidSampleFromToml()
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            final List<String> lines = document(key, sample(key).valid());
            final ConfigBuilder builder = TomlConfigLoader.parse(String.join("\n", lines) + "\n", "inline");
            assertNotNull(builder, key.tomlName());
        }
    }

    @Test
    void everyKeyRejectsItsInvalidSampleInTomlWithTheExactLine()
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            final Sample sample = sample(key);
            final List<String> lines = document(key, sample.invalid());
            final ConfigException ex = assertThrows(ConfigException.class,
                () -> TomlConfigLoader.parse(String.join("\n", lines) + "\n", "inline"), key.tomlName());

            final String name = key.table().equals("pool") ? "pool.p." + key.keyName() : key.tomlName();
            assertEquals("inline:" + lines.size() + ": " + name + ": " + sample.message(), ex.getMessage());
            assertEquals(name, ex.key());
            assertEquals(lines.size(), ex.line());
        }
    }

    @Test
    void everyKeyParsesAndRejectsThroughItsBuilder()
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            final Sample sample = sample(key);
            key.setIn(builderFor(key), sample.valid());

            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> key.setIn(builderFor(key), sample.invalid()), key.tomlName());
            assertEquals(sample.message(), ex.getMessage(), key.tomlName());
        }
    }

    @Test
    void everyTopLevelKeyRoundTripsThroughValues()
    {
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.table().isEmpty() && key != ConfigKey.ACCESS_LOG)
            {
                // trusted proxies set so that accept_proxy_protocol = true builds
                final ConfigBuilder builder = Config.builder().proxyProtocolTrusted(List.of("192.0.2.0/24"))
                    .set(key, sample(key).valid());
                final Object written = builder.build().values().get(key);
                final Object expected = key == ConfigKey.METRICS_ADDR ? "" : sample(key).valid();
                assertEquals(expected, written, key.tomlName());
                assertEquals(builder.build().values(), Config.builder().proxyProtocolTrusted(List.of("192.0.2.0/24"))
                    .set(key, written).build().values(), key.tomlName());
            }
        }
    }

    @Test
    void everyKeyIsFoundByItsTomlNameAndNamesItsTable()
    {
        final Set<String> names = new TreeSet<>();
        for (final ConfigKey key : ConfigKey.values())
        {
            assertSame(key, ConfigKey.byTomlName(key.tomlName()));
            assertSame(key, key.scope().key(key.keyName()));
            assertTrue(key.scope().keyNames().contains(key.keyName()), key.tomlName());
            assertTrue(names.add(key.tomlName()), "two keys named " + key.tomlName());
            assertEquals(key.table().isEmpty() ? key.keyName() : key.table() + "." + key.keyName(), key.tomlName());
            assertTrue(!key.description().isBlank() && !key.expected().isBlank(), key.tomlName());
        }
    }

    @Test
    void shouldNeedARestartOnlyForKeysARunningProxyCannotChange()
    {
        final Set<ConfigKey> restart = EnumSet.noneOf(ConfigKey.class);
        for (final ConfigKey key : ConfigKey.values())
        {
            if (!key.reloadable())
            {
                restart.add(key);
            }
        }

        assertEquals(EnumSet.of(ConfigKey.METRICS_ADDR, ConfigKey.CHANNEL_BUFFER_SIZE, ConfigKey.WORKERS,
            ConfigKey.BUFFER_SIZE, ConfigKey.BUFFER_POOL_MB, ConfigKey.METRICS_CLIENT_TOP_K,
            ConfigKey.METRICS_CLIENT_LABELS, ConfigKey.ACCEPT_MODE, ConfigKey.IDLE_STRATEGY, ConfigKey.BUSY_POLL_US,
            ConfigKey.CPU_AFFINITY), restart);
    }

    @Test
    void shouldKeepCliFlagsForTheSeedKeysOnly()
    {
        final Set<ConfigKey> flags = EnumSet.noneOf(ConfigKey.class);
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.hasFlag())
            {
                flags.add(key);
            }
        }

        assertEquals(EnumSet.range(ConfigKey.LISTEN_ADDR, ConfigKey.CPU_AFFINITY), flags);
        assertEquals("--grace-period-secs", ConfigKey.GRACE_PERIOD_SECS.flag());
    }

    @Test
    void shouldRefuseATableKeyOnTheConfigBuilder()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Config.builder().set(ConfigKey.HEALTH_CHECK_RISE, 2));

        assertEquals("health_check.rise is set inside a [health_check] table; build it with its own builder",
            ex.getMessage());
    }

    /** A document whose last line sets {@code key} to {@code value}, in the table the key belongs to. */
    private static List<String> document(final ConfigKey key, final Object value)
    {
        final Map<String, Object> others = new LinkedHashMap<>();
        final String header;
        switch (key.table())
        {
            case "" -> header = null;
            case "health_check" -> header = "[health_check]";
            case "passive_health" -> header = "[passive_health]";
            case "upstream" ->
            {
                header = "[[upstream]]";
                others.put("addr", "127.0.0.1:1");
            }
            case "route" ->
            {
                header = "[[route]]";
                others.put("pool", "default");
                others.put("sni", List.of("a.example"));
            }
            case "pool" -> header = "[pool.p]";
            default -> throw new AssertionError("no document for table " + key.table());
        }
        others.remove(key.keyName());

        final List<String> lines = new ArrayList<>();
        lines.add("# " + key.tomlName());
        if (header != null)
        {
            lines.add(header);
        }
        others.forEach((name, other) -> lines.add(name + " = " + toml(other)));
        lines.add(key.keyName() + " = " + toml(value));
        return lines;
    }

    private static Object builderFor(final ConfigKey key)
    {
        return switch (key.table())
        {
            case "" -> Config.builder().values;
            case "health_check" -> HealthCheck.builder();
            case "passive_health" -> PassiveHealth.builder();
            case "upstream" -> Upstream.builder();
            case "route" -> Route.builder();
            case "pool" -> PoolSettings.builder("p");
            default -> throw new AssertionError("no builder for table " + key.table());
        };
    }

    private static String toml(final Object value)
    {
        if (value instanceof String)
        {
            final String text = (String)value;
            return text.contains("\\") ? "'" + text + "'" : "\"" + text + "\"";
        }
        if (value instanceof List)
        {
            final List<String> items = new ArrayList<>();
            for (final Object item : (List<?>)value)
            {
                items.add(toml(item));
            }
            return "[" + String.join(", ", items) + "]";
        }
        return String.valueOf(value);
    }
}
