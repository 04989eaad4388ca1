package io.tcpproxy.upstream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamConsoleTest
{
    @Test
    void shouldListTheServersAndSettingsAtStartup()
    {
        final PoolSpec spec = new PoolSpec("default", List.of(
            new ServerSpec("10.0.0.1:5432", 2, false, 0),
            new ServerSpec("10.0.0.2:5432", 1, false, 100),
            new ServerSpec("10.0.0.3:5432", 1, true, 0)),
            Balance.LEAST_CONNECTIONS, 3,
            new HealthCheckSpec(2000, 1000, 2, 3, 8008, "GET /primary\r\n".getBytes(StandardCharsets.US_ASCII),
                "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII)),
            PassiveHealthSpec.defaults(), 30);
        final UpstreamPool pool = UpstreamPool.create(spec, UpstreamListener.NONE);
        assertEquals("[UPSTREAM] pool default: least_connections over 3 servers: 10.0.0.1:5432 (weight 2), " +
            "10.0.0.2:5432 (max 100), 10.0.0.3:5432 (backup); connect_attempts 3; health checks every 2000 ms " +
            "(timeout 1000 ms, rise 2, fall 3, port 8008, send 14 bytes, expect 12 bytes); passive ejection after " +
            "5 failed connects for 30 s", UpstreamConsole.startupLine(pool));
    }

    @Test
    void shouldSayWhenThereAreNoActiveChecks()
    {
        final UpstreamPool pool = UpstreamPool.create(PoolSpec.of(List.of(ServerSpec.of("127.0.0.1:8081"))),
            UpstreamListener.NONE);
        assertEquals("[UPSTREAM] pool default: round_robin over 1 server: 127.0.0.1:8081; connect_attempts 3; " +
            "no active health checks; passive ejection after 5 failed connects for 30 s",
            UpstreamConsole.startupLine(pool));
    }

    @Test
    void shouldFormatTransitionsAsTheIssueShows()
    {
        final UpstreamPool pool = UpstreamPool.create(PoolSpec.of(List.of(ServerSpec.of("10.0.0.1:5432"))),
            UpstreamListener.NONE);
        final UpstreamServer server = pool.servers().get(0);
        assertEquals("[HEALTH] 10.0.0.1:5432 DOWN after 3 failed checks (connect_refused)",
            UpstreamConsole.healthLine(server, false, 3, CheckResult.CONNECT_REFUSED));
        assertEquals("[HEALTH] 10.0.0.1:5432 UP after 2 checks",
            UpstreamConsole.healthLine(server, true, 2, CheckResult.OK));
        assertEquals("[HEALTH] 10.0.0.1:5432 EJECTED for 30 s after 5 failed connects (connect_timeout)",
            UpstreamConsole.ejectedLine(server, 30_000, 5, ConnectFailure.CONNECT_TIMEOUT));
    }

    @Test
    void shouldRejectBadSettingsWithAClearMessage()
    {
        assertEquals("weight must be 1 to 256, got 0",
            assertThrows(IllegalArgumentException.class, () -> new ServerSpec("10.0.0.1:1", 0, false, 0))
                .getMessage());
        assertEquals("health_check rise must be 1 or more, got 0",
            assertThrows(IllegalArgumentException.class, () -> new HealthCheckSpec(1000, 100, 0, 3, 0, null, null))
                .getMessage());
        assertEquals("expected one of round_robin, least_connections, random_two, source_hash, got \"fastest\"",
            assertThrows(IllegalArgumentException.class, () -> Balance.parse("fastest")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PoolSpec.of(List.of())).getMessage()
            .contains("has no server"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerSpec.of("10.0.0.1"))
            .getMessage().startsWith("expected HOST:PORT"));
        assertEquals(Balance.SOURCE_HASH, Balance.parse("source_hash"));
    }
}
