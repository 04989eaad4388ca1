package io.tcpproxy.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TomlConfigLoaderTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadEveryKeyOfAFullFile() throws IOException
    {
        final Path file = write(
            "listen_addr = \"0.0.0.0:4000\"\n" +
            "target_addr = \"example.com:80\"\n" +
            "metrics_addr = \"[::1]:9191\"\n" +
            "grace_period_secs = 5\n" +
            "metrics_log_interval_secs = 0\n" +
            "channel_buffer_size = 4096\n" +
            "workers = 3\n" +
            "buffer_size = 65536\n" +
            "buffer_pool_mb = 8\n" +
            "max_connections = 77\n" +
            "connect_timeout_ms = 250\n" +
            "idle_timeout_secs = 60\n" +
            "log_events = \"all\"\n" +
            "metrics_client_top_k = 5\n" +
            "metrics_client_labels = true\n" +
            "accept_mode = \"shared\"\n" +
            "idle_strategy = \"backoff\"\n" +
            "busy_poll_us = 40\n" +
            "cpu_affinity = true\n");

        final Config config = TomlConfigLoader.load(file).build();

        assertEquals(HostPort.of("0.0.0.0", 4000), config.listenAddress());
        assertEquals(HostPort.of("example.com", 80), config.targetAddress());
        assertEquals(HostPort.of("::1", 9191), config.metricsAddress());
        assertEquals(5, config.gracePeriodSecs());
        assertEquals(0, config.metricsLogIntervalSecs());
        assertEquals(4096, config.channelBufferSize());
        assertEquals(3, config.workers());
        assertEquals(65536, config.bufferSizeBytes());
        assertEquals(8, config.bufferPoolMb());
        assertEquals(77, config.maxConnections());
        assertEquals(250, config.connectTimeoutMs());
        assertEquals(60, config.idleTimeoutSecs());
        assertEquals(LogEvents.ALL, config.logEvents());
        assertEquals(5, config.metricsClientTopK());
        assertTrue(config.metricsClientLabels());
        assertEquals(AcceptMode.SHARED, config.acceptMode());
        assertEquals(IdleStrategyKind.BACKOFF, config.idleStrategy());
        assertEquals(40, config.busyPollUs());
        assertTrue(config.cpuAffinity());
    }

    @Test
    void shouldKeepDefaultsForKeysNotInTheFile() throws IOException
    {
        final Path file = write("# only one key\ngrace_period_secs = 7\n");

        final Map<ConfigKey, Object> values = TomlConfigLoader.load(file).build().values();
        final Map<ConfigKey, Object> defaults = Config.builder().build().values();

        assertEquals(7L, values.get(ConfigKey.GRACE_PERIOD_SECS));
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key != ConfigKey.GRACE_PERIOD_SECS)
            {
                assertEquals(defaults.get(key), values.get(key), key.tomlName());
            }
        }
    }

    @Test
    void shouldReadAnEmptyFileAsDefaults() throws IOException
    {
        final Path file = write("");

        assertEquals(Config.builder().build().values(), TomlConfigLoader.load(file).build().values());
    }

    @Test
    void shouldDisableMetricsWithAnEmptyAddress() throws IOException
    {
        final Path file = write("metrics_addr = \"\"\n");

        assertNull(TomlConfigLoader.load(file).build().metricsAddress());
    }

    @Test
    void shouldAcceptChoicesInAnyCase() throws IOException
    {
        final Path file = write("log_events = \"OFF\"\n");

        assertEquals(LogEvents.OFF, TomlConfigLoader.load(file).build().logEvents());
    }

    @Test
    void shouldShipATopLevelProxyTomlHoldingEveryKeyWithItsDefault() throws IOException
    {
        final Path file = shippedProxyToml();
        assertTrue(Files.isRegularFile(file), "missing " + file.toAbsolutePath());

        final TomlParseResult toml = Toml.parse(file);
        assertFalse(toml.hasErrors(), () -> toml.errors().toString());
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.table().isEmpty())
            {
                assertTrue(toml.contains(key.tomlName()), "proxy.toml lacks " + key.tomlName());
            }
        }

        final Map<ConfigKey, Object> values = TomlConfigLoader.load(file).build().values();
        assertEquals(Config.builder().build().values(), values);
        assertEquals("127.0.0.1:3000", values.get(ConfigKey.LISTEN_ADDR));
        assertEquals("127.0.0.1:8081", values.get(ConfigKey.TARGET_ADDR));
        assertEquals("127.0.0.1:9090", values.get(ConfigKey.METRICS_ADDR));

        final String text = Files.readString(file);
        for (final ConfigKey key : ConfigKey.values())
        {
            if (key.table().isEmpty())
            {
                final int at = text.indexOf("\n" + key.tomlName() + " = ");
                assertTrue(at > 0 && text.lastIndexOf("\n#", at) > text.lastIndexOf("\n\n", at) - 1,
                    "proxy.toml: " + key.tomlName() + " needs a one-line comment above it");
            }
            else
            {
                final int table = text.indexOf("\n# [" + (key.table().equals("pool") ? "pool." : key.table()));
                final int tableOfArray = text.indexOf("\n# [[" + key.table() + "]]");
                final int header = Math.max(table, tableOfArray);
                assertTrue(header > 0, "proxy.toml lacks an example of the " + key.table() + " table");
                assertTrue(text.indexOf("\n# " + key.keyName() + " = ", header) > header,
                    "proxy.toml: the " + key.table() + " example lacks " + key.keyName());
            }
        }
    }

    @Test
    void shouldLoadTheShippedTableExamplesOnceUncommented() throws IOException
    {
        final StringBuilder uncommented = new StringBuilder();
        for (final String line : Files.readAllLines(shippedProxyToml()))
        {
            final String example = line.startsWith("# ") ? line.substring(2) : line;
            if (line.startsWith("target_addr = "))
            {
                continue;
            }
            uncommented.append(example.matches("\\[.*\\]|[a-z_]+ = .*") ? example : line).append('\n');
        }

        final Config config = TomlConfigLoader.parse(uncommented.toString(), "examples").build();

        assertNull(config.targetAddress());
        assertEquals(3, config.upstreams().size());
        assertEquals(List.of("default", "api"), List.copyOf(config.pools().keySet()));
        assertEquals(Balance.ROUND_ROBIN, config.pool("default").balance());
        assertEquals(Balance.LEAST_CONNECTIONS, config.pool("api").balance());
        assertEquals(2000, config.pool("default").healthCheck().intervalMs());
        assertArrayEquals("PING\r\n".getBytes(StandardCharsets.US_ASCII), config.pool("default").healthCheck().send());
        assertEquals(8008, config.pool("api").healthCheck().port());
        assertArrayEquals("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            config.pool("api").healthCheck().send());
        assertEquals(List.of("api.example.com", "*.api.example.com"), config.routes().get(0).sni());
        assertTrue(config.upstreams().get(1).backup());
    }

    private static Path shippedProxyToml()
    {
        return Path.of(System.getProperty("basedir", ".")).resolve("../proxy.toml").normalize();
    }

    @Test
    void shouldReportASyntaxErrorWithLineAndColumn() throws IOException
    {
        final Path file = write("listen_addr = \"127.0.0.1:3000\"\ngrace_period_secs = \n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(2, ex.line());
        assertNull(ex.key());
        assertTrue(ex.getMessage().startsWith(file + ":2:"), ex.getMessage());
        assertTrue(ex.getMessage().contains("TOML syntax error"), ex.getMessage());
    }

    @Test
    void shouldReportADuplicateKeyAsASyntaxError() throws IOException
    {
        final Path file = write("workers = 1\nworkers = 2\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(2, ex.line());
        assertTrue(ex.getMessage().contains("workers previously defined"), ex.getMessage());
    }

    @Test
    void shouldNameTheNearestKeyForAnUnknownOne() throws IOException
    {
        final Path file = write("\n\nlisten_adr = \"127.0.0.1:3000\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ":3: listen_adr: unknown key (did you mean listen_addr?)", ex.getMessage());
        assertEquals("listen_adr", ex.key());
        assertEquals(3, ex.line());
    }

    @Test
    void shouldListTheKeysWhenAnUnknownKeyIsNearNone() throws IOException
    {
        final Path file = write("zzzzzzzzzzzzzzzzzzzzzzz = 1\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: zzzzzzzzzzzzzzzzzzzzzzz: unknown key; the keys are"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains("cpu_affinity"), ex.getMessage());
    }

    @Test
    void shouldExplainThatKeysGoAtTheTopLevelWhenFoundInATable() throws IOException
    {
        final Path file = write("[proxy]\nlisten_addr = \"127.0.0.1:3000\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: proxy: unknown table; every key goes at the top level"),
            ex.getMessage());
    }

    @Test
    void shouldReportAStringWhereAnIntegerIsExpected() throws IOException
    {
        final Path file = write("workers = 2\ngrace_period_secs = \"abc\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(
            file + ":2: grace_period_secs: expected an integer from 0 to 86400, got the string \"abc\"",
            ex.getMessage());
        assertEquals("grace_period_secs", ex.key());
    }

    @Test
    void shouldRefuseANumericStringForAnIntegerKey() throws IOException
    {
        final Path file = write("workers = \"4\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ":1: workers: expected an integer from 0 to 1024, got the string \"4\"", ex.getMessage());
    }

    @Test
    void shouldReportAFloatWhereAnIntegerIsExpected() throws IOException
    {
        final Path file = write("connect_timeout_ms = 1.5\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(
            file + ":1: connect_timeout_ms: expected an integer from 1 to 3600000, got the float 1.5", ex.getMessage());
    }

    @Test
    void shouldReportANumberOutOfRange() throws IOException
    {
        final Path file = write("# grace\n\n\n\n\n\ngrace_period_secs = -5\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ":7: grace_period_secs: expected an integer from 0 to 86400, got -5", ex.getMessage());
        assertEquals(7, ex.line());
    }

    @Test
    void shouldReportANumberTooLargeForAnInt() throws IOException
    {
        final Path file = write("max_connections = 9999999999\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(
            file + ":1: max_connections: expected an integer from 1 to 10000000, got 9999999999", ex.getMessage());
    }

    @Test
    void shouldReportAnUnparseableAddress() throws IOException
    {
        final Path file = write("target_addr = \"localhost\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: target_addr: expected HOST:PORT"), ex.getMessage());
        assertTrue(ex.getMessage().contains("\"localhost\""), ex.getMessage());
    }

    @Test
    void shouldReportAPortOutOfRange() throws IOException
    {
        final Path file = write("listen_addr = \"127.0.0.1:70000\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: listen_addr: port must be 0-65535, got 70000"),
            ex.getMessage());
    }

    @Test
    void shouldRefuseAnEmptyListenAddress() throws IOException
    {
        final Path file = write("listen_addr = \"\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: listen_addr: expected HOST:PORT"), ex.getMessage());
    }

    @Test
    void shouldReportAnIntegerWhereAnAddressIsExpected() throws IOException
    {
        final Path file = write("listen_addr = 3000\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(
            file + ":1: listen_addr: expected a string HOST:PORT, e.g. \"127.0.0.1:3000\", got the integer 3000",
            ex.getMessage());
    }

    @Test
    void shouldReportAnArrayWhereAScalarIsExpected() throws IOException
    {
        final Path file = write("target_addr = [\"127.0.0.1:1\", \"127.0.0.1:2\"]\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":1: target_addr: expected a string HOST:PORT"), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("got an array"), ex.getMessage());
    }

    @Test
    void shouldReportATableWhereAScalarIsExpected() throws IOException
    {
        final Path file = write("workers = 1\n[listen_addr]\nhost = \"127.0.0.1\"\nport = 3000\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ":2: listen_addr: expected a string HOST:PORT"), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("got a table"), ex.getMessage());
    }

    @Test
    void shouldReportADateWhereAnIntegerIsExpected() throws IOException
    {
        final Path file = write("idle_timeout_secs = 1979-05-27\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().endsWith("got the date 1979-05-27"), ex.getMessage());
    }

    @Test
    void shouldReportAStringWhereABooleanIsExpected() throws IOException
    {
        final Path file = write("cpu_affinity = \"yes\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ":1: cpu_affinity: expected true, false, \"cores\" or \"l3\", got the string \"yes\"",
            ex.getMessage());
    }

    @Test
    void shouldReadEveryCpuAffinityValue() throws IOException
    {
        assertEquals(CpuAffinityMode.OFF, TomlConfigLoader.load(write("workers = 1\n")).build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.OFF,
            TomlConfigLoader.load(write("cpu_affinity = false\n")).build().cpuAffinityMode());
        assertEquals(CpuAffinityMode.BY_INDEX,
            TomlConfigLoader.load(write("cpu_affinity = true\n")).build().cpuAffinityMode());
        final Config cores = TomlConfigLoader.load(write("cpu_affinity = \"cores\"\n")).build();
        assertEquals(CpuAffinityMode.CORES, cores.cpuAffinityMode());
        assertTrue(cores.cpuAffinity(), "any mode but false pins");
        assertEquals(CpuAffinityMode.L3,
            TomlConfigLoader.load(write("cpu_affinity = \"L3\"\n")).build().cpuAffinityMode());
        assertEquals("cores", cores.values().get(ConfigKey.CPU_AFFINITY));
        assertEquals(Boolean.TRUE, Config.builder().cpuAffinity(true).build().values().get(ConfigKey.CPU_AFFINITY));
    }

    @Test
    void shouldRejectOtherCpuAffinityValuesWithOneLine() throws IOException
    {
        final Path numa = write("workers = 2\n# pinned\ncpu_affinity = \"numa\"\n");
        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(numa));
        assertEquals(numa + ":3: cpu_affinity: expected true, false, \"cores\" or \"l3\", got the string \"numa\"",
            ex.getMessage());
        assertEquals(3, ex.line());

        final Path number = write("cpu_affinity = 2\n");
        assertEquals(number + ":1: cpu_affinity: expected true, false, \"cores\" or \"l3\", got the integer 2",
            assertThrows(ConfigException.class, () -> TomlConfigLoader.load(number)).getMessage());
        final Path list = write("cpu_affinity = [\"cores\"]\n");
        assertEquals(list + ":1: cpu_affinity: expected true, false, \"cores\" or \"l3\", got an array",
            assertThrows(ConfigException.class, () -> TomlConfigLoader.load(list)).getMessage());
    }

    @Test
    void shouldReportAnUnknownChoice() throws IOException
    {
        final Path file = write("idle_strategy = \"sleep\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(
            file + ":1: idle_strategy: expected one of \"block\", \"backoff\", \"spin\", got \"sleep\"",
            ex.getMessage());
    }

    @Test
    void shouldReportTheFirstErrorInFileOrderAndCountTheRest() throws IOException
    {
        final Path file = write("workers = -1\nbogus_key_name_here_x = 1\ngrace_period_secs = \"x\"\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(1, ex.line());
        assertEquals("workers", ex.key());
        assertTrue(ex.getMessage().startsWith(file + ":1: workers: expected an integer from 0 to 1024, got -1"),
            ex.getMessage());
        assertTrue(ex.getMessage().endsWith("(and 2 more errors after it)"), ex.getMessage());
        assertEquals(2, ex.getSuppressed().length);
        assertEquals(2, ((ConfigException)ex.getSuppressed()[0]).line());
        assertEquals(3, ((ConfigException)ex.getSuppressed()[1]).line());
    }

    @Test
    void shouldReportAMissingFile()
    {
        final Path file = dir.resolve("absent.toml");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ": file not found", ex.getMessage());
        assertEquals(0, ex.line());
    }

    @Test
    void shouldReportADirectory()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(dir));

        assertEquals(dir + ": is a directory, expected a TOML file", ex.getMessage());
    }

    @Test
    void shouldReportAFileThatCannotBeRead()
    {
        // Reading /proc/self/mem from offset 0 fails with an I/O error for every user, root included (a file with
        // its read permission removed would not do: root reads it anyway).
        final Path file = Path.of("/proc/self/mem");

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertTrue(ex.getMessage().startsWith(file + ": cannot read the file ("), ex.getMessage());
    }

    @Test
    void shouldReportAFileThatIsNotUtf8() throws IOException
    {
        final Path file = dir.resolve("binary.toml");
        Files.write(file, new byte[]{ 'a', ' ', '=', ' ', (byte)0xC3, (byte)0x28, '\n' });

        final ConfigException ex = assertThrows(ConfigException.class, () -> TomlConfigLoader.load(file));

        assertEquals(file + ": not valid UTF-8 text, expected a TOML file", ex.getMessage());
    }

    @Test
    void shouldNameTheSourceWhenParsingText()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> TomlConfigLoader.parse("workers = 2000\n", "inline"));

        assertEquals("inline:1: workers: expected an integer from 0 to 1024, got 2000", ex.getMessage());
    }

    private Path write(final String text) throws IOException
    {
        final Path file = dir.resolve("proxy.toml");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
