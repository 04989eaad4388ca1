package io.tcpproxy.cli;

import io.tcpproxy.config.ConfigKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad configuration and bad usage, through the real jar: one line on stderr naming what is wrong, no stack trace,
 * exit status 2.
 */
class CliErrorsIT
{
    @TempDir
    Path dir;

    @Test
    void shouldReportASyntaxErrorWithItsLine() throws IOException
    {
        final Path file = write("bad.toml", "listen_addr = \"127.0.0.1:0\"\nworkers = = 2\n");

        assertUsageError(dir, "tcp-proxy: error: " + file + ":2:", "TOML syntax error", "--config", file.toString());
    }

    @Test
    void shouldReportAnUnknownKeyWithTheNearestOne() throws IOException
    {
        final Path file = write("typo.toml", "# typo below\ntarget_adr = \"127.0.0.1:1\"\n");

        assertUsageError(dir, "tcp-proxy: error: " + file + ":2: target_adr: unknown key (did you mean target_addr?)",
            "", "--config", file.toString());
    }

    @Test
    void shouldReportAWrongType() throws IOException
    {
        final Path file = write("type.toml", "grace_period_secs = \"abc\"\n");

        assertUsageError(dir,
            "tcp-proxy: error: " + file + ":1: grace_period_secs: expected an integer from 0 to 86400, " +
            "got the string \"abc\"", "", "--config", file.toString());
    }

    @Test
    void shouldReportANumberOutOfRange() throws IOException
    {
        final Path file = write("range.toml", "\n\n\n\n\n\ngrace_period_secs = -5\n");

        assertUsageError(dir,
            "tcp-proxy: error: " + file + ":7: grace_period_secs: expected an integer from 0 to 86400, got -5",
            "", "--config", file.toString());
    }

    @Test
    void shouldReportAnUnparseableAddress() throws IOException
    {
        final Path file = write("address.toml", "listen_addr = \"nowhere\"\n");

        assertUsageError(dir, "tcp-proxy: error: " + file + ":1: listen_addr: expected HOST:PORT", "\"nowhere\"",
            "--config", file.toString());
    }

    @Test
    void shouldReportATableWhereAValueIsExpected() throws IOException
    {
        final Path file = write("table.toml", "[metrics_addr]\nport = 9090\n");

        assertUsageError(dir, "tcp-proxy: error: " + file + ":1: metrics_addr: expected a string HOST:PORT",
            "got a table", "--config", file.toString());
    }

    @Test
    void shouldReportAMissingExplicitConfigFile() throws IOException
    {
        final Path file = dir.resolve("absent.toml");

        assertUsageError(dir, "tcp-proxy: error: " + file + ": file not found", "", "--config", file.toString());
    }

    @Test
    void shouldReadProxyTomlFromTheWorkingDirectoryByDefault() throws IOException
    {
        write("proxy.toml", "workers = 99999\n");

        assertUsageError(dir, "tcp-proxy: error: proxy.toml:1: workers: expected an integer from 0 to 1024, got 99999",
            "");
    }

    @Test
    void shouldReportABadFlagValue() throws IOException
    {
        assertUsageError(dir,
            "tcp-proxy: error: --grace-period-secs: expected an integer from 0 to 86400, got the string \"soon\"", "",
            "run", "--grace-period-secs", "soon");
    }

    @Test
    void shouldReportABadAddressFlag() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: --target-addr: expected HOST:PORT", "", "--target", "nohost");
    }

    @Test
    void shouldLetFlagsOverrideABadFileValueOnlyWhenTheFileParses() throws IOException
    {
        final Path file = write("both.toml", "grace_period_secs = 1\n");

        assertUsageError(dir, "tcp-proxy: error: --workers: expected an integer from 0 to 1024, got 5000", "",
            "--config", file.toString(), "--workers", "5000");
    }

    @Test
    void shouldReportAnUnknownFlag() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: Unknown option: '--frobnicate'", "", "--frobnicate");
    }

    @Test
    void shouldSuggestTheNearestFlag() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: ", "did you mean --grace-period-secs?", "--grace-period-sec", "3");
    }

    @Test
    void shouldReportAMissingFlagValue() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: Missing required parameter for option '--listen-addr'", "",
            "--listen");
    }

    @Test
    void shouldReportAnUnknownCommand() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: unknown command 'serve'", "", "serve");
    }

    @Test
    void shouldReportABadEchoThreadCount() throws IOException
    {
        assertUsageError(dir, "tcp-proxy: error: --threads: expected an integer from 1 to 1024, got 0", "",
            "echo", "--threads", "0");
    }

    @Test
    void shouldExitTwoWhenTheMetricsPortIsInUse() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            assertUsageError(dir, "tcp-proxy: error: cannot start: cannot serve metrics on 127.0.0.1:" +
                taken.getLocalPort(), "in use",
                "run", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:1",
                "--metrics-addr", "127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void shouldExitTwoWhenTheListenPortIsInUse() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            assertUsageError(dir, "tcp-proxy: error: cannot start: ", "in use",
                "run", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--accept-mode", "shared",
                "--target", "127.0.0.1:1", "--metrics-addr", "");
        }
    }

    @Test
    void shouldPrintHelpListingEveryConfigKeyFlag() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "run", "--help");

        assertEquals(0, jar.exitValue(), jar.describeOutput());
        final String help = jar.stdout();
        for (final ConfigKey key : ConfigKey.values())
        {
            assertTrue(!key.hasFlag() || help.contains(key.flag()),
                "run --help lacks " + key.flag() + jar.describeOutput());
        }
        assertTrue(help.contains("--config"), help);
        assertTrue(help.contains("--listen"), help);
        assertTrue(jar.stderrLines().isEmpty(), jar.describeOutput());
    }

    @Test
    void shouldPrintTopLevelHelpNamingTheCommands() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "--help");

        assertEquals(0, jar.exitValue(), jar.describeOutput());
        assertTrue(jar.stdout().contains("Usage: tcp-proxy"), jar.describeOutput());
        assertTrue(jar.stdout().contains("echo"), jar.describeOutput());
        assertTrue(jar.stdout().contains("run"), jar.describeOutput());
    }

    @Test
    void shouldPrintTheVersion() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "--version");

        assertEquals(0, jar.exitValue(), jar.describeOutput());
        assertEquals(1, jar.stdoutLines().size(), jar.describeOutput());
        assertTrue(jar.stdoutLines().get(0).matches("tcp-proxy \\d+\\.\\d+\\.\\d+.*"), jar.describeOutput());
    }

    private Path write(final String name, final String text) throws IOException
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static void assertUsageError(
        final Path workDir, final String expectedStart, final String expectedPart, final String... args)
        throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(workDir, args);

        assertEquals(2, jar.exitValue(), jar.describeOutput());
        final List<String> stderr = jar.stderrLines();
        assertEquals(1, stderr.size(), "expected exactly one stderr line" + jar.describeOutput());
        final String line = stderr.get(0);
        assertTrue(line.startsWith(expectedStart), "expected to start with: " + expectedStart + jar.describeOutput());
        assertTrue(line.contains(expectedPart), "expected to contain: " + expectedPart + jar.describeOutput());
        assertFalse(line.contains("Exception"), jar.describeOutput());
        assertTrue(jar.stdoutLines().isEmpty(), "nothing on stdout" + jar.describeOutput());
    }
}
