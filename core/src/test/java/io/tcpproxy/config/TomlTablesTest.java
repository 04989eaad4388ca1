package io.tcpproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loader's tables and arrays of tables, the keys of issues 13 to 17, and their one-line errors. */
class TomlTablesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadAFileWithEveryTable() throws IOException
    {
        final Path log = dir.resolve("access.log");
        final Path file = write(
            "balance = \"least_connections\"\n" +
            "connect_attempts = 2\n" +
            "dns_refresh_secs = 5\n" +
            "send_proxy_protocol = \"v2\"\n" +
            "accept_proxy_protocol = true\n" +
            "proxy_protocol_trusted = [\"10.0.0.0/8\", \"::1\"]\n" +
            "proxy_protocol_timeout_ms = 1500\n" +
            "allow = [\"192.0.2.0/24\", \"2001:db8::/32\"]\n" +
            "deny = [\"192.0.2.7\"]\n" +
            "max_connections_per_client = 8\n" +
            "client_connect_rate = 20\n" +
            "client_connect_burst = 40\n" +
            "client_ipv6_prefix = 56\n" +
            "sni_default_pool = \"\"\n" +
            "sni_peek_timeout_ms = 2000\n" +
            "sni_peek_max_bytes = 32768\n" +
            "removed_server_drain_secs = 2\n" +
            "admin_token = \"s3cret\"\n" +
            "access_log = \"" + log + "\"\n" +
            "access_log_format = \"json\"\n" +
            "\n" +
            "[health_check]\n" +
            "interval_ms = 500\n" +
            "timeout_ms = 250\n" +
            "rise = 1\n" +
            "fall = 4\n" +
            "port = 8008\n" +
            "send = 'GET /primary HTTP/1.0\\r\\n\\r\\n'\n" +
            "expect = '\\x00\\xffOK'\n" +
            "\n" +
            "[passive_health]\n" +
            "consecutive_failures = 3\n" +
            "ejection_secs = 10\n" +
            "\n" +
            "[[upstream]]\n" +
            "addr = \"10.0.0.1:5432\"\n" +
            "weight = 3\n" +
            "max_connections = 100\n" +
            "\n" +
            "[[upstream]]\n" +
            "addr = \"10.0.0.2:5432\"\n" +
            "backup = true\n" +
            "\n" +
            "[[upstream]]\n" +
            "addr = \"[2001:db8::1]:443\"\n" +
            "pool = \"api\"\n" +
            "\n" +
            "[[route]]\n" +
            "sni = [\"API.example.com.\", \"*.api.example.com\"]\n" +
            "alpn = [\"h2\"]\n" +
            "pool = \"api\"\n" +
            "\n" +
            "[[route]]\n" +
            "sni = [\"db.example.com\"]\n" +
            "pool = \"default\"\n" +
            "\n" +
            "[pool.api]\n" +
            "balance = \"source_hash\"\n" +
            "\n" +
            "[pool.api.health_check]\n" +
            "interval_ms = 9000\n");

        final Config config = Config.fromFile(file);

        assertEquals(Balance.LEAST_CONNECTIONS, config.balance());
        assertEquals(2, config.connectAttempts());
        assertEquals(5, config.dnsRefreshSecs());
        assertEquals(SendProxyProtocol.V2, config.sendProxyProtocol());
        assertTrue(config.acceptProxyProtocol());
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")), config.proxyProtocolTrusted());
        assertEquals(1500, config.proxyProtocolTimeoutMs());
        assertEquals(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32")), config.allow());
        assertEquals(List.of(Cidr.parse("192.0.2.7/32")), config.deny());
        assertEquals(8, config.maxConnectionsPerClient());
        assertEquals(20, config.clientConnectRate());
        assertEquals(40, config.clientConnectBurst());
        assertEquals(40, config.effectiveClientConnectBurst());
        assertEquals(56, config.clientIpv6Prefix());
        assertEquals("", config.sniDefaultPool());
        assertEquals(2000, config.sniPeekTimeoutMs());
        assertEquals(32768, config.sniPeekMaxBytes());
        assertEquals(2, config.removedServerDrainSecs());
        assertEquals("s3cret", config.adminToken());
        assertFalse(config.toString().contains("s3cret"), config.toString());
        assertEquals(AccessLog.Target.FILE, config.accessLog().target());
        assertEquals(log, config.accessLog().path());
        assertEquals(AccessLogFormat.JSON, config.accessLogFormat());

        final HealthCheck check = config.healthCheck();
        assertEquals(500, check.intervalMs());
        assertEquals(250, check.timeoutMs());
        assertEquals(1, check.rise());
        assertEquals(4, check.fall());
        assertEquals(8008, check.port());
        assertArrayEquals("GET /primary HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), check.send());
        assertArrayEquals(new byte[]{ 0, (byte)0xFF, 'O', 'K' }, check.expect());
        assertEquals(3, config.passiveHealth().consecutiveFailures());
        assertEquals(10, config.passiveHealth().ejectionSecs());

        assertNull(config.targetAddress());
        assertFalse(config.values().containsKey(ConfigKey.TARGET_ADDR));
        assertEquals(List.of(
                Upstream.builder().addr("10.0.0.1:5432").weight(3).maxConnections(100).build(),
                Upstream.builder().addr("10.0.0.2:5432").backup(true).build(),
                Upstream.builder().addr("[2001:db8::1]:443").pool("api").build()),
            config.upstreams());
        assertEquals(List.of("api.example.com", "*.api.example.com"), config.routes().get(0).sni());
        assertEquals(List.of("h2"), config.routes().get(0).alpn());
        assertEquals(List.of(), config.routes().get(1).alpn());
        assertEquals("default", config.routes().get(1).pool());

        final Pool standard = config.pool("default");
        assertEquals(Balance.LEAST_CONNECTIONS, standard.balance());
        assertEquals(check, standard.healthCheck());
        assertEquals(2, standard.upstreams().size());
        final Pool api = config.pool("api");
        assertEquals(Balance.SOURCE_HASH, api.balance());
        assertEquals(9000, api.healthCheck().intervalMs());
        assertEquals(1000, api.healthCheck().timeoutMs(), "keys not in the pool's table take their defaults");
        assertEquals(HostPort.of("2001:db8::1", 443), api.upstreams().get(0).addr());
    }

    @Test
    void shouldMakeTargetAddrAPoolOfOne() throws IOException
    {
        final Config config = Config.fromFile(write("target_addr = \"10.0.0.9:6379\"\n"));

        assertEquals(HostPort.of("10.0.0.9", 6379), config.targetAddress());
        assertEquals(List.of(Upstream.of("10.0.0.9:6379")), config.upstreams());
        assertEquals(List.of("default"), List.copyOf(config.pools().keySet()));
        assertEquals(Balance.ROUND_ROBIN, config.pool("default").balance());
        assertNull(config.pool("default").healthCheck());
        assertEquals(PassiveHealth.builder().build(), config.passiveHealth());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({ "loadErrors", "buildErrors" })
    void shouldRefuseWithOneLine(
        final String name, final String toml, final String key, final int line, final String detail)
        throws IOException
    {
        final Path file = write(toml);
        final String message = file + ":" + line + ": " + key + ": " + detail;

        if (name.startsWith("build: "))
        {
            assertBuildError(file, key, line, message);
        }
        else
        {
            assertError(file, key, line, message);
        }
    }

    /** @return a test name, a file, the key and line its error names, and what it says after "file:line: key: ". */
    static Stream<Arguments> loadErrors()
    {
        return Stream.of(
            Arguments.of("shouldNameTheTableKeyAndLineOfABadValue",
                "workers = 2\n\n# checks\n" + "\n".repeat(6) + "[health_check]\ninterval_ms = 1000\nrise = 0\n",
                "health_check.rise", 12, "expected an integer from 1 to 100, got 0"),
            Arguments.of("shouldRefuseAnUnknownKeyInATable",
                "[health_check]\nrize = 2\n",
                "health_check.rize", 2, "unknown key in [health_check] (did you mean rise?)"),
            Arguments.of("shouldListATablesKeysWhenAnUnknownOneIsNearNone",
                "[passive_health]\nzzzzzzzzzzzz = 1\n",
                "passive_health.zzzzzzzzzzzz", 2, "unknown key " +
                "in [passive_health]; its keys are consecutive_failures, ejection_secs"),
            Arguments.of("shouldExplainATopLevelKeyWrittenBelowATableHeader",
                "[[upstream]]\naddr = \"10.0.0.1:80\"\nconnect_timeout_ms = 100\n",
                "upstream.connect_timeout_ms", 3, "unknown key in " +
                "[[upstream]]; connect_timeout_ms is a top-level key: write it above the first [table] header"),
            Arguments.of("shouldRefuseASingleUpstreamTable",
                "[upstream]\naddr = \"10.0.0.1:80\"\n",
                "upstream", 1, "expected [[upstream]] tables (an array of tables), got a table"),
            Arguments.of("shouldRefuseAHealthCheckThatIsNoTable",
                "health_check = true\n",
                "health_check", 1, "expected a table [health_check], got the boolean true"),
            Arguments.of("shouldRequireAnAddressInEveryUpstream",
                "[[upstream]]\naddr = \"10.0.0.1:80\"\n\n[[upstream]]\nweight = 2\n",
                "upstream.addr", 4, "missing: every [[upstream]] needs " +
                "addr = \"HOST:PORT\", e.g. addr = \"10.0.0.1:5432\""),
            Arguments.of("shouldRefuseWeightZero",
                "[[upstream]]\naddr = \"10.0.0.1:80\"\nweight = 0\n",
                "upstream.weight", 3, "expected an integer from 1 to 256, got 0"),
            Arguments.of("shouldRefuseAnUnknownBalance",
                "\nbalance = \"fastest\"\n",
                "balance", 2, "expected one of \"round_robin\", \"least_connections\", " +
                "\"random_two\", \"source_hash\", got \"fastest\""),
            Arguments.of("shouldRefuseARouteWithoutAPool",
                "[[upstream]]\naddr = \"10.0.0.2:80\"\n\n[[route]]\nsni = [\"a.example\"]\n",
                "route", 4, "pool is required, e.g. pool = \"api\""),
            Arguments.of("shouldRefuseARouteWithNeitherNamesNorProtocols",
                "[[upstream]]\naddr = \"10.0.0.2:80\"\n\n[[route]]\npool = \"default\"\n",
                "route", 4, "a route needs sni names, alpn protocols or both"),
            Arguments.of("shouldNameAPoolsHealthCheckKey",
                "[pool.api]\nbalance = \"random_two\"\n[pool.api.health_check]\nfall = 0\n",
                "pool.api.health_check.fall", 4, "expected an integer from 1 to 100, got 0"),
            Arguments.of("shouldRefuseAnUnknownKeyInAPoolTable",
                "[pool.api]\nweight = 2\n",
                "pool.api.weight", 2, "unknown key in [pool.api]; its keys are balance, [health_check]"),
            Arguments.of("shouldRefuseABadPoolName",
                "[pool.\"a b\"]\nbalance = \"random_two\"\n",
                "pool.a b", 1, "expected a pool name of 1 to 64 letters, digits, '_', '-' or '.', got \"a b\""),
            Arguments.of("shouldNameTheKeyOfAMalformedCidr",
                "workers = 1\n\ndeny = [\"10.0.0.0/8\", \"10.0.0\"]\n",
                "deny", 3, "expected an IPv4 or IPv6 address or CIDR, e.g. \"10.0.0.0/8\" or \"::1\", got \"10.0.0\""),
            Arguments.of("shouldRefuseANonStringInAList",
                "allow = [\"::1\", 2]\n",
                "allow", 1, "expected an array of IPv4/IPv6 CIDRs or addresses, e.g. " +
                "[\"10.0.0.0/8\", \"::1\"], got the integer 2 at index 1"),
            Arguments.of("shouldRefuseAStringWhereAListIsExpected",
                "allow = \"10.0.0.0/8\"\n",
                "allow", 1, "expected an array of IPv4/IPv6 CIDRs or addresses, e.g. " +
                "[\"10.0.0.0/8\", \"::1\"], got the string \"10.0.0.0/8\""));
    }

    /** @return as {@link #loadErrors()}, for files that load but do not build (named "build: ..."). */
    static Stream<Arguments> buildErrors()
    {
        return Stream.of(
            Arguments.of("build: shouldRefuseTargetAddrTogetherWithUpstreams",
                "workers = 1\ntarget_addr = \"10.0.0.1:80\"\n[[upstream]]\naddr = \"10.0.0.2:80\"\n",
                "target_addr", 2, "cannot be used together with [[upstream]] " +
                "tables; write that server as one more [[upstream]]"),
            Arguments.of("build: shouldRefuseAConfigurationWithNoServerForItsConnections",
                "workers = 1\n[[upstream]]\naddr = \"10.0.0.2:80\"\npool = \"api\"\n",
                "upstream", 2, "no server in pool \"default\": without [[route]] " +
                "tables every connection goes to pool \"default\", and the servers name only [api]"),
            Arguments.of("build: shouldRefuseARouteToAPoolWithoutServers",
                "[[upstream]]\naddr = \"10.0.0.2:80\"\n\n[[route]]\nsni = [\"a.example\"]\npool = \"api\"\n",
                "route.pool", 6, "pool \"api\" has no servers (no [[upstream]] has pool = \"api\")"),
            Arguments.of("build: shouldRefuseADefaultPoolWithoutServersOnceRoutesExist",
                "sni_default_pool = \"web\"\n[[upstream]]\naddr = \"10.0.0.2:80\"\n\n" +
                "[[route]]\nsni = [\"a.example\"]\npool = \"default\"\n",
                "sni_default_pool", 1, "pool \"web\" has no servers " +
                "(no [[upstream]] has pool = \"web\"); name a pool that has servers, or \"\" to close connections no " +
                "route matches"),
            Arguments.of("build: shouldRefusePoolSettingsForAPoolWithoutServers",
                "[[upstream]]\naddr = \"10.0.0.2:80\"\n\n[pool.api]\nbalance = \"random_two\"\n",
                "pool.api", 4, "pool \"api\" has no servers (no [[upstream]] has pool = \"api\")"),
            Arguments.of("build: shouldRequireTrustedProxiesWhenAcceptingTheProxyProtocol",
                "workers = 1\naccept_proxy_protocol = true\n",
                "proxy_protocol_trusted", 2, "is empty while " +
                "accept_proxy_protocol = true; list the networks of the proxies allowed to send a PROXY header, " +
                "e.g. [\"10.0.0.0/8\"]"));
    }

    @Test
    void shouldRefuseAnAccessLogThatCannotBeWritten() throws IOException
    {
        final Path file = write("access_log = \"" + dir + "\"\n");

        assertError(file, "access_log", 1, file + ":1: access_log: expected \"off\", \"stdout\" or the path of a " +
            "writable file, got \"" + dir + "\" (it is a directory)");
    }

    @Test
    void shouldReadAccessLogTargets() throws IOException
    {
        assertEquals(AccessLog.STDOUT, Config.fromFile(write("access_log = \"stdout\"\n")).accessLog());
        assertEquals(AccessLog.OFF, Config.fromFile(write("access_log = \"off\"\n")).accessLog());
        assertEquals(AccessLogFormat.TEXT, Config.fromFile(write("access_log = \"off\"\n")).accessLogFormat());
    }

    @Test
    void shouldReportEveryTableErrorInFileOrder() throws IOException
    {
        final Path file = write("[health_check]\nrise = 0\n\n[[upstream]]\naddr = \"x\"\nweight = 999\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(2, ex.line());
        assertTrue(ex.getMessage().endsWith("(and 2 more errors after it)"), ex.getMessage());
        assertEquals(5, ((ConfigException)ex.getSuppressed()[0]).line());
        assertEquals(6, ((ConfigException)ex.getSuppressed()[1]).line());
    }

    private static void assertError(final Path file, final String key, final int line, final String message)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(message, ex.getMessage());
        assertEquals(key, ex.key());
        assertEquals(line, ex.line());
    }

    private static void assertBuildError(final Path file, final String key, final int line, final String message)
    {
        final ConfigBuilder builder = TomlConfigLoader.load(file);
        final ConfigException ex = assertThrows(ConfigException.class, builder::build);

        assertEquals(message, ex.getMessage());
        assertEquals(key, ex.key());
        assertEquals(line, ex.line());
        assertEquals(message, assertThrows(ConfigException.class, () -> Config.fromFile(file)).getMessage());
    }

    private Path write(final String text) throws IOException
    {
        final Path file = dir.resolve("proxy.toml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
