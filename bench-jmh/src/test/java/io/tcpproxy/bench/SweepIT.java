package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench sweep --quick} with a tiny set against the real proxy from {@code cli/target/tcp-proxy.jar}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SweepIT
{
    @Test
    void shouldRunEveryCombinationAndPrintTheBestProxyTomlLines(@TempDir final Path dir) throws Exception
    {
        final BenchRun run = BenchRun.of(
            "bench", "sweep", "--set", "workers=1,2", "--set", "busy_poll_us=0", "--scenarios", "baseline",
            "--quick", "--home", ProxyLauncher.resolveHome(null).toString(), "--out", dir.toString());

        run.assertSucceededPrinting("[combination 1/2] workers=1 busy_poll_us=0",
            "[combination 2/2] workers=2 busy_poll_us=0", "| baseline | workers=1 busy_poll_us=0 | ",
            "| baseline | workers=2 busy_poll_us=0 | ", "Best for baseline (", "```toml\nworkers = ");
        assertTrue(!run.out().contains("| - |"), "RPS, p99 and CPU of every row:\n" + run.out());
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("sweep.svg").toFile());
        assertTrue(Files.readString(dir.resolve("sweep.md")).contains("Best for baseline"));
    }
}
