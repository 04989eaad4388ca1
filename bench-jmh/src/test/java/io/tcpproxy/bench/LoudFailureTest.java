package io.tcpproxy.bench;

import io.tcpproxy.bench.process.LoopbackPorts;
import io.tcpproxy.testsupport.EchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoudFailureTest
{
    @Test
    void shouldFailLoudlyWhenNobodyListensOnTheTarget(@TempDir final Path dir) throws Exception
    {
        final int closedPort = LoopbackPorts.freePort();
        final BenchRun run = BenchRun.of(
            "loadgen", "--target", "a=127.0.0.1:" + closedPort, "--quick", "--out", dir.toString());

        assertEquals(BenchMain.EXIT_FAILURE, run.exit(), run.err());
        assertTrue(run.err().contains("error: connection refused to 127.0.0.1:" + closedPort), run.err());
        assertTrue(!run.out().contains("RPS"), run.out());
    }

    @Test
    void shouldSayInterruptedAndWriteWhatWasMeasuredOnSigterm(@TempDir final Path dir) throws Exception
    {
        final Path scenarios = ScenarioToml.write(dir.resolve("s.toml"), "warmup_secs = 0.1\n",
            ScenarioToml.scenario("short", 2, "64B", "duration_secs = 0.3"),
            ScenarioToml.scenario("long", 2, "64B", "duration_secs = 600"));
        final Path out = dir.resolve("out");
        try (EchoServer echo = EchoServer.echo())
        {
            final Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), BenchMain.class.getName(),
                "loadgen", "--target", "a=127.0.0.1:" + echo.address().getPort(), "--scenarios", scenarios.toString(),
                "--out", out.toString()))
                .redirectErrorStream(true)
                .start();
            final StringBuilder output = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    output.append(line).append('\n');
                    if (line.contains("long @ a: measuring"))
                    {
                        process.toHandle().destroy(); // SIGTERM; Process.destroy() would close this stream too
                    }
                }
            }
            finally
            {
                process.destroyForcibly();
            }
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));

            assertEquals(143, process.exitValue(), output.toString());
            assertTrue(output.toString().contains("interrupted"), output.toString());
            final String markdown = Files.readString(out.resolve("results.md"));
            assertTrue(markdown.contains("| short | 2 | 64 B | "), markdown);
            assertTrue(markdown.contains("| long | 2 | 64 B | - | - | - | - |"), markdown);
            assertTrue(markdown.contains("Incomplete: interrupted"), markdown);
            final int shortRow = markdown.indexOf("| short |");
            assertTrue(!markdown.substring(shortRow, markdown.indexOf('\n', shortRow)).contains("| - |"), markdown);
        }
    }
}
