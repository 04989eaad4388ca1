package io.tcpproxy.bench;

import io.tcpproxy.testsupport.EchoServer;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BenchMainTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private int run(final String... args)
    {
        return BenchMain.run(args, out, err, false);
    }

    private String out()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldMeasureTwoTargetsInterleavedAndWriteAllReports(@TempDir final Path dir) throws Exception
    {
        final Path scenarios = ScenarioToml.write(dir.resolve("s.toml"), "duration_secs = 0.3\nwarmup_secs = 0.1\n",
            ScenarioToml.scenario("tiny", 2, "64B"), ScenarioToml.scenario("wide", 20, "2KiB"));
        try (EchoServer first = EchoServer.echo(); EchoServer second = EchoServer.echo())
        {
            final int exit = run("loadgen",
                "--target", "a=127.0.0.1:" + first.address().getPort(),
                "--target=b=127.0.0.1:" + second.address().getPort(),
                "--scenarios", scenarios.toString(),
                "--out", dir.resolve("out").toString());

            assertEquals(0, exit, err());
        }

        final String output = out();
        final int tinyA = output.indexOf("tiny @ a: ");
        final int tinyB = output.indexOf("tiny @ b: ");
        final int wideA = output.indexOf("wide @ a: ");
        assertTrue(tinyA >= 0 && tinyA < tinyB && tinyB < wideA, "interleaved by scenario:\n" + output);
        assertTrue(output.contains("| Scenario | Connections | Message Size | a RPS |"), output);
        assertTrue(output.contains("| a/b RPS |"), output);
        assertTrue(output.contains("| tiny | 2 | 64 B |"), output);
        assertTrue(output.contains("| wide | 20 | 2 KiB |"), output);
        assertTrue(output.contains("Errors: none"), output);

        final Path out = dir.resolve("out");
        assertTrue(Files.readString(out.resolve("results.md")).contains("| tiny | 2 | 64 B |"));
        final Map<?, ?> json = (Map<?, ?>)Json.parse(Files.readString(out.resolve("results.json")));
        final List<?> medians = (List<?>)json.get("medians");
        assertEquals(4, medians.size());
        for (final Object median : medians)
        {
            final Map<?, ?> cell = (Map<?, ?>)median;
            assertTrue(((Number)cell.get("rps")).doubleValue() > 0, cell.toString());
            assertEquals(0.0, ((Number)((Map<?, ?>)cell.get("errors")).get("total")).doubleValue(), cell.toString());
        }
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(out.resolve("results.svg").toFile());
    }

    @Test
    void shouldRejectAMissingTargetWithAUsageError()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("loadgen", "--quick"));
        assertTrue(err().contains("--target NAME=HOST:PORT"), err());
    }

    @Test
    void shouldRejectUnknownOptionsAndCommands()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--fast"));
        assertTrue(err().contains("unknown option for 'bench': --fast"), err());
        assertEquals(BenchMain.EXIT_USAGE, run("benchmark"));
        assertTrue(err().contains("unknown command 'benchmark'"), err());
    }

    @Test
    void shouldReportScenarioFileErrorsWithTheirLine(@TempDir final Path dir) throws Exception
    {
        final Path scenarios = dir.resolve("bad.toml");
        Files.writeString(scenarios, "[[scenario]]\nname = \"x\"\nconnections = 1\nsize = 64\ncolour = \"red\"\n");

        assertEquals(BenchMain.EXIT_USAGE,
            run("loadgen", "--target", "a=127.0.0.1:1", "--scenarios", scenarios.toString()));
        assertTrue(err().contains("bad.toml:5:1: unknown key 'colour'"), err());
    }

    @Test
    void shouldFailBenchClearlyWhenTheProxyJarIsMissing(@TempDir final Path dir)
    {
        assertEquals(BenchMain.EXIT_FAILURE, run("bench", "--quick", "--home", dir.toString(), "--out",
            dir.resolve("out").toString()));
        assertTrue(err().contains("tcp-proxy.jar does not exist"), err());
    }

    @Test
    void shouldPrintUsage()
    {
        assertEquals(0, run("help"));
        assertTrue(out().contains("demo") && out().contains("bench") && out().contains("loadgen"), out());
    }
}
