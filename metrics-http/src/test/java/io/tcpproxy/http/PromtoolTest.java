package io.tcpproxy.http;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Prometheus' own checker over the real HTTP output. Without {@code promtool} on the PATH this fails, unless
 * {@code -Dpromtool.optional=true} (install the Debian/Ubuntu package {@code prometheus} to get it).
 */
class PromtoolTest
{
    private static final long PROMTOOL_TIMEOUT_SECS = 60;

    @Test
    void shouldPassPromtoolCheckMetrics() throws Exception
    {
        final Path promtool = findPromtool();
        if (null == promtool)
        {
            if (Boolean.getBoolean("promtool.optional"))
            {
                Assumptions.abort("promtool not on PATH and -Dpromtool.optional=true");
            }
            fail("promtool not found on PATH: install the 'prometheus' package (apt-get install -y prometheus) " +
                "or run with -Dpromtool.optional=true");
        }

        final InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        for (final boolean clientLabels : new boolean[]{true, false})
        {
            final String text;
            try (HttpMetricsEndpoint endpoint =
                new HttpMetricsEndpoint(any, () -> Snapshots.sample(clientLabels, false), HttpLimits.defaults()))
            {
                text = TestHttp.get(endpoint.localAddress(), "/metrics").body();
            }
            check(promtool, text);
        }
        final String empty;
        try (HttpMetricsEndpoint endpoint = new HttpMetricsEndpoint(any, Snapshots::empty, HttpLimits.defaults()))
        {
            empty = TestHttp.get(endpoint.localAddress(), "/metrics").body();
        }
        check(promtool, empty);
    }

    @Test
    void promtoolShouldRejectBrokenInput() throws Exception
    {
        final Path promtool = findPromtool();
        Assumptions.assumeTrue(null != promtool, "promtool not on PATH");

        final ProcessResult result = run(promtool, "# TYPE x counter\nx 1\nx 2\n");
        assertTrue(0 != result.exitCode || !result.output.isBlank(), "promtool accepted a broken exposition");
    }

    private static void check(final Path promtool, final String text) throws Exception
    {
        final ProcessResult result = run(promtool, text);
        assertEquals(0, result.exitCode, result.output);
        assertTrue(result.output.isBlank(), "promtool reported problems:\n" + result.output);
    }

    private record ProcessResult(int exitCode, String output)
    {
    }

    private static ProcessResult run(final Path promtool, final String input) throws Exception
    {
        final Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
        try (OutputStream stdin = process.getOutputStream())
        {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(PROMTOOL_TIMEOUT_SECS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            fail("promtool did not finish in " + PROMTOOL_TIMEOUT_SECS + " s");
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ProcessResult(process.exitValue(), output);
    }

    private static Path findPromtool() throws IOException
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, "promtool");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate.toRealPath();
            }
        }
        return null;
    }
}
