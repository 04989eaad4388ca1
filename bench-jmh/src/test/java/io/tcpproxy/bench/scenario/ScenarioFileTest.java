package io.tcpproxy.bench.scenario;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScenarioFileTest
{
    private static String error(final String toml)
    {
        return assertThrows(ScenarioException.class, () -> ScenarioFile.parse(toml, "s.toml")).getMessage();
    }

    @Test
    void shouldShipTheSeedsSevenScenarios()
    {
        final List<Scenario> scenarios = ScenarioFile.loadDefault();

        assertEquals(7, scenarios.size());
        assertEquals(new Scenario("baseline", 10, 1024, TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(1), 0),
            scenarios.get(0));
        assertEquals("small-packets", scenarios.get(1).name());
        assertEquals(64, scenarios.get(1).messageBytes());
        assertEquals(8 * 1024, scenarios.get(2).messageBytes());
        assertEquals(50, scenarios.get(3).connections());
        assertEquals(100, scenarios.get(4).connections());
        assertEquals(500, scenarios.get(5).connections());
        assertEquals("big-data", scenarios.get(6).name());
        assertEquals(64 * 1024, scenarios.get(6).messageBytes());
    }

    @Test
    void shouldApplyDefaultsAndOverrides()
    {
        final List<Scenario> scenarios = ScenarioFile.parse(String.join("\n",
            "duration_secs = 2",
            "warmup_secs = 0.5",
            "rate = 1000",
            "[[scenario]]",
            "name = \"a\"",
            "connections = 3",
            "size = 100",
            "[[scenario]]",
            "name = \"b\"",
            "connections = 4",
            "size = \"2 KiB\"",
            "duration_secs = 7",
            "rate = 0",
            ""), "s.toml");

        assertEquals(new Scenario("a", 3, 100, TimeUnit.SECONDS.toNanos(2), TimeUnit.MILLISECONDS.toNanos(500), 1000),
            scenarios.get(0));
        assertEquals(new Scenario("b", 4, 2048, TimeUnit.SECONDS.toNanos(7), TimeUnit.MILLISECONDS.toNanos(500), 0),
            scenarios.get(1));
    }

    @Test
    void shouldNameAnUnknownKeyAndItsLine()
    {
        final String message = error("[[scenario]]\nname = \"a\"\nconnections = 1\nsise = 64\n");

        assertTrue(message.startsWith("s.toml:4:"), message);
        assertTrue(message.contains("unknown key 'sise'"), message);
        assertTrue(message.contains("expected one of: connections, duration_secs, name, rate, size, warmup_secs"), message);
    }

    @Test
    void shouldNameAnUnknownTopLevelKey()
    {
        final String message = error("durations = 5\n[[scenario]]\nname = \"a\"\nconnections = 1\nsize = 64\n");

        assertTrue(message.startsWith("s.toml:1:"), message);
        assertTrue(message.contains("unknown key 'durations'"), message);
    }

    @Test
    void shouldNameAWrongTypeWithWhatIsExpected()
    {
        final String message = error("[[scenario]]\nname = \"a\"\nconnections = \"ten\"\nsize = 64\n");

        assertTrue(message.startsWith("s.toml:3:"), message);
        assertTrue(message.contains("'connections'"), message);
        assertTrue(message.contains("must be an integer"), message);
        assertTrue(message.contains("got string \"ten\""), message);
    }

    @Test
    void shouldNameAMissingSizeAndTheScenarioItBelongsTo()
    {
        final String message = error(
            "[[scenario]]\nname = \"a\"\nconnections = 1\nsize = 64\n\n[[scenario]]\nname = \"b\"\nconnections = 2\n");

        assertTrue(message.startsWith("s.toml:6:"), message);
        assertTrue(message.contains("missing required key 'size'"), message);
        assertTrue(message.contains("[[scenario]] #2 (\"b\")"), message);
        assertTrue(message.contains("\"1KiB\""), message);
    }

    @Test
    void shouldRejectAnUnreadableSize()
    {
        final String message = error("[[scenario]]\nname = \"a\"\nconnections = 1\nsize = \"lots\"\n");

        assertTrue(message.startsWith("s.toml:4:"), message);
        assertTrue(message.contains("'size'"), message);
        assertTrue(message.contains("got string \"lots\""), message);
    }

    @Test
    void shouldRejectANegativeDuration()
    {
        final String message = error("[[scenario]]\nname = \"a\"\nconnections = 1\nsize = 1\nduration_secs = -1\n");

        assertTrue(message.startsWith("s.toml:5:"), message);
        assertTrue(message.contains("'duration_secs'"), message);
    }

    @Test
    void shouldReportTomlSyntaxErrorsWithTheirPosition()
    {
        final String message = error("[[scenario]]\nname = \"a\nconnections = 1\n");

        assertTrue(message.startsWith("s.toml:2:"), message);
        assertTrue(message.contains("invalid TOML"), message);
    }

    @Test
    void shouldRequireAtLeastOneScenarioAndUniqueNames()
    {
        assertTrue(error("duration_secs = 1\n").contains("expected at least one [[scenario]]"));
        final String duplicate = error(
            "[[scenario]]\nname = \"a\"\nconnections = 1\nsize = 1\n[[scenario]]\nname = \"a\"\nconnections = 1\nsize = 1\n");
        assertTrue(duplicate.startsWith("s.toml:6:"), duplicate);
        assertTrue(duplicate.contains("duplicate scenario name \"a\""), duplicate);
    }

    @Test
    void shouldFormatSizesAsTablesShowThem()
    {
        assertEquals("64 B", ScenarioFile.formatSize(64));
        assertEquals("1 KiB", ScenarioFile.formatSize(1024));
        assertEquals("1.5 KiB", ScenarioFile.formatSize(1536));
        assertEquals("64 KiB", ScenarioFile.formatSize(65536));
        assertEquals("2 MiB", ScenarioFile.formatSize(2 * 1024 * 1024));
    }

    @Test
    void shouldParseSizesWithOrWithoutUnits()
    {
        assertEquals(100, ScenarioFile.parseSize("100"));
        assertEquals(64, ScenarioFile.parseSize("64B"));
        assertEquals(1024, ScenarioFile.parseSize("1KiB"));
        assertEquals(8192, ScenarioFile.parseSize("8 kb"));
        assertEquals(2 * 1024 * 1024, ScenarioFile.parseSize("2MiB"));
        final IllegalArgumentException error =
            assertThrows(IllegalArgumentException.class, () -> ScenarioFile.parseSize("1GiB"));
        assertTrue(error.getMessage().contains("\"1KiB\""), error.getMessage());
    }
}
