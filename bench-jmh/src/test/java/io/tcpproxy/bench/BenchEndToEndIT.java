package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --quick --bulk} end to end: the real echo server and proxy from {@code cli/target/tcp-proxy.jar} as
 * child processes, then the bulk server and another proxy (failsafe runs this after the cli module is packaged;
 * {@code tcpproxy.home} points at the repository).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchEndToEndIT
{
    @Test
    void shouldBenchTheMatrixAndBulkThroughTheProxyAndDirectlyAndWriteOneReport(@TempDir final Path dir) throws Exception
    {
        final Path home = ProxyLauncher.resolveHome(null);
        assertTrue(Files.isRegularFile(home.resolve("cli/target/tcp-proxy.jar")),
            "the proxy jar is built before this test: " + home.resolve("cli/target/tcp-proxy.jar"));
        final Path scenarios = ScenarioToml.write(dir.resolve("scenarios.toml"), "",
            ScenarioToml.scenario("baseline", 10, "1KiB"), ScenarioToml.scenario("large-packets", 4, "8KiB"));
        final Path outDir = dir.resolve("results");
        final BenchRun run = BenchRun.of("bench", "--quick", "--scenarios", scenarios.toString(), "--out",
            outDir.toString(), "--home", home.toString(), "--bulk", "--bulk-size", "16MiB");

        run.assertSucceededPrinting(
            "| Scenario | Connections | Message Size | proxy RPS | proxy p50 | proxy p99 |",
            "| proxy/direct RPS |",
            "| proxy Throughput | proxy CPU/rt |",
            "| direct Throughput | direct CPU/rt |",
            "CPU of proxy by thread group (μs per round trip):\n\n| Scenario | total | workers |",
            "| baseline | 10 | 1 KiB |",
            "| large-packets | 4 | 8 KiB |",
            "\n## Bulk throughput, one way\n\n| Case | direct Gbit/s | proxy Gbit/s | proxy/direct |",
            "| Case | direct CPU ms/GiB | proxy CPU ms/GiB |");

        for (final String file : List.of("results.md", "results.json", "results.svg", "echo.log", "proxy.log",
            "bulk/bulk-server.log", "bulk/proxy.log"))
        {
            assertTrue(Files.isRegularFile(outDir.resolve(file)), file + " in " + outDir);
        }
        final String markdown = Files.readString(outDir.resolve("results.md"));
        final int matrixHeading = markdown.indexOf("## Request/response matrix\n\n| Scenario |");
        final int bulkHeading = markdown.indexOf("## Bulk throughput, one way\n\n| Case |");
        assertTrue(markdown.startsWith("Command: `tcp-proxy bench --quick "), markdown);
        assertTrue(0 < matrixHeading && matrixHeading < markdown.indexOf("| baseline | 10 | 1 KiB |"), markdown);
        assertTrue(markdown.indexOf("| large-packets | 4 | 8 KiB |") < bulkHeading, markdown);
        for (final String bulkCase : List.of("upload 1 × 16 MiB", "upload 4 × 16 MiB", "download 1 × 16 MiB",
            "download 4 × 16 MiB"))
        {
            assertTrue(markdown.indexOf("| " + bulkCase + " | ", bulkHeading) > bulkHeading, bulkCase + ":\n" + markdown);
        }
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(outDir.resolve("results.svg").toFile());
        final Map<?, ?> json = (Map<?, ?>)Json.parse(Files.readString(outDir.resolve("results.json")));
        int proxyCells = 0;
        for (final Object median : (List<?>)json.get("medians"))
        {
            final Map<?, ?> cell = (Map<?, ?>)median;
            final Map<?, ?> errors = (Map<?, ?>)cell.get("errors");
            assertTrue(((Number)cell.get("rps")).doubleValue() > 0, "RPS of " + cell);
            assertEquals(0.0, ((Number)errors.get("total")).doubleValue(), "errors of " + cell + "\n" + run.out());
            assertTrue(((Number)cell.get("cpu_us_per_round_trip")).doubleValue() > 0, "CPU of " + cell);
            if ("proxy".equals(cell.get("target")))
            {
                proxyCells++;
                final Map<?, ?> groups = (Map<?, ?>)cell.get("cpu_us_per_round_trip_by_thread_group");
                assertTrue(((Number)groups.get("workers")).doubleValue() > 0, "workers' CPU of " + cell);
            }
        }
        assertEquals(2, proxyCells);

        final Map<?, ?> bulk = (Map<?, ?>)json.get("bulk");
        final List<?> bulkMedians = (List<?>)bulk.get("medians");
        assertEquals(4 * 2, bulkMedians.size(), "4 cases x direct and proxy");
        for (final Object median : bulkMedians)
        {
            final Map<?, ?> cell = (Map<?, ?>)median;
            assertTrue(((Number)cell.get("gbit_per_sec")).doubleValue() > 0, "throughput of " + cell);
            assertEquals(0.0, ((Number)cell.get("errors")).doubleValue(), "errors of " + cell + "\n" + run.out());
            assertEquals(16.0 * 1024 * 1024, ((Number)cell.get("bytes_per_connection")).doubleValue());
            // a 16 MiB transfer takes milliseconds, below the 10 ms tick of /proc/PID/stat: present, maybe 0
            assertTrue(((Number)cell.get("cpu_ms_per_gib")).doubleValue() >= 0, "CPU of " + cell);
        }
    }
}
