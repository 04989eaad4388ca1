package io.tcpproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java front door: the builders of the model, the cross-key checks without a file, and reload differences. */
class ConfigBuilderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldBuildPoolsRoutesAndAccessSettingsInCode()
    {
        final Config config = Config.builder()
            .balance(Balance.RANDOM_TWO)
            .connectAttempts(4)
            .dnsRefreshSecs(0)
            .healthCheck(HealthCheck.builder().intervalMs(300).timeoutMs(100).rise(3).fall(2).port(9000)
                .send("PING\\r\\n").expect("+PONG").build())
            .passiveHealth(PassiveHealth.builder().consecutiveFailures(2).ejectionSecs(5).build())
            .upstream(Upstream.builder().addr("127.0.0.1:7001").weight(5).build())
            .upstream(Upstream.builder().addr("127.0.0.1:7002").backup(true).maxConnections(10).build())
            .upstream(Upstream.builder().addr("127.0.0.1:7003").pool("tls").build())
            .route(Route.builder().sni(List.of("*.Example.COM")).alpn(List.of("h2")).pool("tls").build())
            .poolSettings(PoolSettings.builder("tls").balance(Balance.SOURCE_HASH).build())
            .sendProxyProtocol(SendProxyProtocol.V1)
            .acceptProxyProtocol(true)
            .proxyProtocolTrusted(List.of("127.0.0.0/8"))
            .proxyProtocolTimeoutMs(100)
            .allow(List.of("127.0.0.1", "::1"))
            .deny(List.of("127.0.0.2"))
            .maxConnectionsPerClient(3)
            .clientConnectRate(7)
            .clientIpv6Prefix(48)
            .sniDefaultPool("default")
            .sniPeekTimeoutMs(10)
            .sniPeekMaxBytes(4096)
            .removedServerDrainSecs(1)
            .adminToken("t")
            .accessLog("stdout")
            .accessLogFormat(AccessLogFormat.JSON)
            .build();

        assertNull(config.targetAddress());
        assertEquals(List.of("default", "tls"), List.copyOf(config.pools().keySet()));
        assertEquals(Balance.RANDOM_TWO, config.pool("default").balance());
        assertEquals(Balance.SOURCE_HASH, config.pool("tls").balance());
        assertEquals(config.healthCheck(), config.pool("tls").healthCheck(), "a pool without its own inherits");
        assertArrayEquals("PING\r\n".getBytes(StandardCharsets.US_ASCII), config.healthCheck().send());
        assertEquals(2, config.pool("default").upstreams().size());
        assertEquals(5, config.pool("default").upstreams().get(0).weight());
        assertTrue(config.pool("default").upstreams().get(1).backup());
        assertEquals(List.of("*.example.com"), config.routes().get(0).sni());
        assertEquals(List.of(Cidr.parse("127.0.0.1"), Cidr.parse("::1")), config.allow());
        assertEquals(7, config.effectiveClientConnectBurst(), "burst 0 means the rate");
        assertEquals(4, config.connectAttempts());
        assertEquals(2, config.passiveHealth().consecutiveFailures());
        assertEquals(AccessLog.STDOUT, config.accessLog());
    }

    @Test
    void shouldKeepEverythingThroughToBuilder()
    {
        final Config config = Config.builder()
            .upstream(Upstream.of("127.0.0.1:1"))
            .upstream(Upstream.builder().addr("127.0.0.1:2").pool("b").build())
            .route(Route.builder().sni(List.of("b.example")).pool("b").build())
            .poolSettings(PoolSettings.builder("b").healthCheck(HealthCheck.builder().rise(5).build()).build())
            .deny(List.of("10.0.0.0/8"))
            .workers(3)
            .build();

        final Config copy = config.toBuilder().build();

        assertEquals(config.values(), copy.values());
        assertEquals(config.pools(), copy.pools());
        assertEquals(config.routes(), copy.routes());
        assertEquals(config.poolSettings(), copy.poolSettings());
        assertEquals(5, copy.pool("b").healthCheck().rise());
        assertEquals(List.of(), config.restartRequiredChanges(copy));
    }

    @Test
    void shouldListOnlyTheChangesThatNeedARestart()
    {
        final Config running = Config.builder().workers(2).bufferSizeBytes(16384).build();
        final Config reloaded = running.toBuilder()
            .workers(4)
            .metricsAddress("")
            .acceptMode(AcceptMode.SHARED)
            .maxConnections(5)
            .allow(List.of("10.0.0.0/8"))
            .balance(Balance.LEAST_CONNECTIONS)
            .upstreams(List.of(Upstream.of("127.0.0.1:9")))
            .build();

        assertEquals(List.of("metrics_addr (127.0.0.1:9090 → \"\")", "workers (2 → 4)",
            "accept_mode (reuse_port → shared)"), running.restartRequiredChanges(reloaded));
        assertEquals(List.of("metrics_addr (\"\" → 127.0.0.1:9090)", "workers (4 → 2)",
            "accept_mode (shared → reuse_port)"), reloaded.restartRequiredChanges(running));
    }

    @Test
    void shouldTakeOnlyTheNamedKeysWithValuesFrom(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("proxy.toml");
        Files.writeString(file, "workers = 2\nmax_connections = 10\n");
        final Config running = Config.fromFile(file);
        final Config read = running.toBuilder().workers(4).maxConnections(20).idleTimeoutSecs(9).build();

        final Config mixed = running.withValuesFrom(read, List.of(ConfigKey.MAX_CONNECTIONS));

        assertEquals(20, mixed.maxConnections());
        assertEquals(2, mixed.workers(), "keys not named keep the running value");
        assertEquals(0, mixed.idleTimeoutSecs());
        assertEquals(file, mixed.sourcePath());
        assertEquals(List.of("workers (2 → 4)"), mixed.restartRequiredChanges(read));
    }

    @Test
    void shouldRefuseTargetAddressTogetherWithUpstreams()
    {
        final ConfigBuilder builder = Config.builder().targetAddress("127.0.0.1:1").upstream(Upstream.of("h:2"));

        final ConfigException ex = assertThrows(ConfigException.class, builder::build);

        assertEquals("target_addr: cannot be used together with [[upstream]] tables; write that server as one more " +
            "[[upstream]]", ex.getMessage());
        assertEquals(0, ex.line());
    }

    @Test
    void shouldUseTheDefaultTargetOnlyWithoutUpstreams()
    {
        assertEquals(List.of(Upstream.of("127.0.0.1:8081")), Config.builder().build().upstreams());
        assertEquals(List.of(Upstream.of("h:2")), Config.builder().upstream(Upstream.of("h:2")).build().upstreams());
        assertEquals(HostPort.of("127.0.0.1", 8081),
            Config.builder().upstream(Upstream.of("h:2")).upstreams(List.of()).build().targetAddress());
    }

    @Test
    void shouldRefuseARouteToAPoolWithoutServers()
    {
        final ConfigBuilder builder = Config.builder()
            .route(Route.builder().alpn(List.of("h2")).pool("nowhere").build());

        assertEquals("route.pool: pool \"nowhere\" has no servers (no [[upstream]] has pool = \"nowhere\")",
            assertThrows(ConfigException.class, builder::build).getMessage());
    }

    @Test
    void shouldCloseUnroutedConnectionsWithAnEmptyDefaultPool()
    {
        final Config config = Config.builder()
            .upstreams(List.of(Upstream.builder().addr("h:1").pool("a").build()))
            .route(Route.builder().sni(List.of("a.example")).pool("a").build())
            .sniDefaultPool("")
            .build();

        assertEquals(List.of("a"), List.copyOf(config.pools().keySet()));
        assertEquals("", config.sniDefaultPool());
    }

    @Test
    void shouldRefuseAcceptingTheProxyProtocolFromAnyone()
    {
        final ConfigBuilder builder = Config.builder().acceptProxyProtocol(true);

        assertTrue(assertThrows(ConfigException.class, builder::build).getMessage()
            .startsWith("proxy_protocol_trusted: is empty while accept_proxy_protocol = true"));
    }

    @Test
    void shouldCheckValuesInEveryBuilder()
    {
        assertEquals("expected an integer from 1 to 256, got 0",
            assertThrows(IllegalArgumentException.class, () -> Upstream.builder().weight(0)).getMessage());
        assertEquals("addr is required, e.g. addr = \"10.0.0.1:5432\"",
            assertThrows(IllegalArgumentException.class, () -> Upstream.builder().build()).getMessage());
        assertEquals("expected an integer from 1 to 100, got 0",
            assertThrows(IllegalArgumentException.class, () -> HealthCheck.builder().rise(0)).getMessage());
        assertEquals("expected an integer from 1 to 300, got 0",
            assertThrows(IllegalArgumentException.class, () -> PassiveHealth.builder().ejectionSecs(0)).getMessage());
        assertEquals("pool is required, e.g. pool = \"api\"",
            assertThrows(IllegalArgumentException.class, () -> Route.builder().sni(List.of("a")).build())
                .getMessage());
        assertThrows(IllegalArgumentException.class, () -> PoolSettings.builder(""));
        assertThrows(IllegalArgumentException.class, () -> Config.builder().allow(List.of("300.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> Config.builder().clientIpv6Prefix(129));
    }

    @Test
    void shouldCheckTheAccessLogPathWhenSet()
    {
        final Path log = dir.resolve("access.log");

        assertEquals(log, Config.builder().accessLog(log.toString()).build().accessLog().path());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Config.builder().accessLog(dir.resolve("missing/access.log").toString()));
        assertTrue(ex.getMessage().endsWith("(directory " + dir.resolve("missing") + " does not exist)"),
            ex.getMessage());
    }

    @Test
    void shouldSetCpuAffinityByBooleanModeOrString()
    {
        assertEquals(CpuAffinityMode.OFF, Config.builder().build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.BY_INDEX, Config.builder().cpuAffinity(true).build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.OFF, Config.builder().cpuAffinity(false).build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.L3, Config.builder().cpuAffinity(CpuAffinityMode.L3).build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.CORES,
            Config.builder().set(ConfigKey.CPU_AFFINITY, " Cores ").build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.OFF,
            Config.builder().set(ConfigKey.CPU_AFFINITY, "false").build().cpuAffinityMode());

        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Config.builder().set(ConfigKey.CPU_AFFINITY, "smt"));
        assertEquals("expected true, false, \"cores\" or \"l3\", got the string \"smt\"", ex.getMessage());
        assertEquals(KeyKind.BOOLEAN_OR_CHOICE, ConfigKey.CPU_AFFINITY.kind());
        assertArrayEquals(new String[]{ "true", "false", "cores", "l3" }, ConfigKey.CPU_AFFINITY.choices());
    }

    @Test
    void shouldTakeLooseValuesThroughSetAsTheCliDoes()
    {
        final Config config = Config.builder()
            .set(ConfigKey.WORKERS, "3")
            .set(ConfigKey.CPU_AFFINITY, "true")
            .set(ConfigKey.ALLOW, "10.0.0.0/8, ::1")
            .set(ConfigKey.BALANCE, "SOURCE_HASH")
            .build();

        assertEquals(3, config.workers());
        assertTrue(config.cpuAffinity());
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("::1")), config.allow());
        assertEquals(Balance.SOURCE_HASH, config.balance());
    }

    @Test
    void shouldStillRequireRoomForTwoBuffers()
    {
        final ConfigBuilder builder = Config.builder().bufferPoolMb(1).bufferSizeBytes(1_048_576);

        assertEquals("buffer_pool_mb: must hold at least two buffers of buffer_size (1048576 bytes)",
            assertThrows(ConfigException.class, builder::build).getMessage());
    }
}
