package io.tcpproxy.cli;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.ConfigException;
import io.tcpproxy.config.CpuAffinityMode;
import io.tcpproxy.config.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line in-process: argument handling and configuration precedence, nothing started.
 */
class TcpProxyCliTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunWhenNoCommandIsGiven()
    {
        assertArrayEquals(new String[]{ "run" }, TcpProxyCli.withDefaultCommand(new String[0]));
        assertArrayEquals(new String[]{ "run", "--listen", "x:1" },
            TcpProxyCli.withDefaultCommand(new String[]{ "--listen", "x:1" }));
        assertArrayEquals(new String[]{ "echo" }, TcpProxyCli.withDefaultCommand(new String[]{ "echo" }));
        assertArrayEquals(new String[]{ "--help" }, TcpProxyCli.withDefaultCommand(new String[]{ "--help" }));
        assertNull(TcpProxyCli.withDefaultCommand(new String[]{ "serve" }));
    }

    @Test
    void shouldLetFlagsOverrideTheFileAndTheFileOverrideDefaults() throws Exception
    {
        final Path file = dir.resolve("p.toml");
        Files.writeString(file, "listen_addr = \"127.0.0.1:4000\"\nworkers = 3\ngrace_period_secs = 9\n");

        final Config config = TcpProxyCli.resolveRunConfig(new String[]{
            "--config", file.toString(), "--workers", "5", "--metrics", "", "--cpu-affinity", "--log-events", "all" });

        assertEquals(HostPort.of("127.0.0.1", 4000), config.listenAddress());
        assertEquals(5, config.workers());
        assertEquals(9, config.gracePeriodSecs());
        assertNull(config.metricsAddress());
        assertTrue(config.cpuAffinity());
        assertEquals(LogEvents.ALL, config.logEvents());
        assertEquals(HostPort.of("127.0.0.1", 8081), config.targetAddress());
    }

    @Test
    void shouldAcceptEveryFlagUnderItsLongAndShortNames()
    {
        final Config config = TcpProxyCli.resolveRunConfig(new String[]{
            "run", "--listen-addr", "127.0.0.1:1", "--target-addr=10.0.0.1:2", "--metrics-addr", "[::1]:3",
            "--cpu-affinity=false", "--idle-timeout-secs", "4", "--listen", "127.0.0.1:5" });

        assertEquals(HostPort.of("127.0.0.1", 5), config.listenAddress(), "the last value wins");
        assertEquals(HostPort.of("10.0.0.1", 2), config.targetAddress());
        assertEquals(HostPort.of("::1", 3), config.metricsAddress());
        assertEquals(4, config.idleTimeoutSecs());
    }

    @Test
    void shouldNameTheFlagInAValueError()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> TcpProxyCli.resolveRunConfig(new String[]{ "--idle-strategy", "nap" }));

        assertEquals("--idle-strategy: expected one of \"block\", \"backoff\", \"spin\", got \"nap\"", ex.getMessage());
        assertEquals("idle_strategy", ex.key());
    }

    @Test
    void shouldTakeEveryCpuAffinityValueAsAFlag()
    {
        assertEquals(CpuAffinityMode.CORES,
            TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity", "cores" }).cpuAffinityMode());
        assertEquals(CpuAffinityMode.L3,
            TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity=l3" }).cpuAffinityMode());
        assertEquals(CpuAffinityMode.BY_INDEX,
            TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity", "true" }).cpuAffinityMode());
        assertEquals(CpuAffinityMode.BY_INDEX,
            TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity" }).cpuAffinityMode());
        assertEquals(CpuAffinityMode.OFF,
            TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity", "false" }).cpuAffinityMode());

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> TcpProxyCli.resolveRunConfig(new String[]{ "--cpu-affinity", "numa" }));
        assertEquals("--cpu-affinity: expected true, false, \"cores\" or \"l3\", got the string \"numa\"",
            ex.getMessage());
    }

    @Test
    void shouldRefuseAnUnknownFlag()
    {
        assertThrows(ParameterException.class, () -> TcpProxyCli.resolveRunConfig(new String[]{ "--nope" }));
    }

    @Test
    void shouldPrintOneErrorLineAndReturnTwoForABadFlag()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int status = TcpProxyCli.execute(
            new String[]{ "--buffer-size", "1" }, printStream(out), printStream(err));

        assertEquals(2, status);
        assertEquals("tcp-proxy: error: --buffer-size: expected an integer from 512 to 16777216, got 1\n",
            err.toString(StandardCharsets.UTF_8));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldExitTwoForAnAddressThatCannotBeBoundAndOneForOtherStartFailures()
    {
        assertEquals(TcpProxyCli.EXIT_USAGE, RunCommand.startFailureStatus(new BindException("Address already in use")));
        assertEquals(TcpProxyCli.EXIT_USAGE, RunCommand.startFailureStatus(
            new IOException("cannot serve metrics on 127.0.0.1:9090: Address already in use",
                new BindException("Address already in use"))));
        assertEquals(TcpProxyCli.EXIT_USAGE, RunCommand.startFailureStatus(
            new IOException("cannot serve metrics on nowhere.invalid:9090: host name does not resolve")));
        assertEquals(TcpProxyCli.EXIT_START_FAILED, RunCommand.startFailureStatus(new IOException("Too many open files")));
    }

    @Test
    void shouldPrintTheCommandListForHelpAndHelpHelp()
    {
        for (final String[] args : new String[][]{ { "help" }, { "help", "--help" }, { "--help" } })
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final ByteArrayOutputStream err = new ByteArrayOutputStream();

            assertEquals(0, TcpProxyCli.execute(args, printStream(out), printStream(err)));

            assertEquals(new java.util.ArrayList<>(TcpProxyCli.COMMANDS.keySet()),
                HelpIT.listedCommands(out.toString(StandardCharsets.UTF_8).replace("\r\n", "\n")));
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldFormatTheStartupLine()
    {
        assertEquals(
            "tcp-proxy listening on 127.0.0.1:3000, forwarding to example.com:80, " +
            "metrics on http://127.0.0.1:9090/metrics",
            RunCommand.startupLine(new InetSocketAddress("127.0.0.1", 3000), "example.com:80",
                new InetSocketAddress("127.0.0.1", 9090)));
        assertEquals(
            "tcp-proxy listening on 0.0.0.0:3000, forwarding to 127.0.0.1:8081, metrics disabled",
            RunCommand.startupLine(new InetSocketAddress("0.0.0.0", 3000), "127.0.0.1:8081", null));
    }

    @Test
    void shouldNameTheUpstreamServersOnTheStartupLineWhenThereIsNoTarget()
    {
        final Config pools = io.tcpproxy.config.TomlConfigLoader.parse(String.join("\n",
            "[[upstream]]", "addr = \"127.0.0.1:7001\"",
            "[[upstream]]", "addr = \"127.0.0.1:7002\"",
            "[[upstream]]", "addr = \"127.0.0.1:7003\"", "pool = \"api\"",
            "[[route]]", "sni = [\"api.example.com\"]", "pool = \"api\"", ""), "proxy.toml").build();
        assertNull(pools.targetAddress());
        assertEquals("3 upstream servers in 2 pools by SNI route", RunCommand.destination(null, pools));

        final Config one = io.tcpproxy.config.TomlConfigLoader.parse(
            "[[upstream]]\naddr = \"127.0.0.1:7001\"\n", "proxy.toml").build();
        assertEquals("1 upstream server", RunCommand.destination(null, one));
        assertEquals("127.0.0.1:8081", RunCommand.destination(HostPort.of("127.0.0.1", 8081), one));
    }

    private static PrintStream printStream(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
