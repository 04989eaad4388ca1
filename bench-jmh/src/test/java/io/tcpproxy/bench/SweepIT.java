package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

        final int exit = BenchMain.run(
            new String[]{ "bench", "sweep", "--set", "workers=1,2", "--set", "busy_poll_us=0", "--scenarios", "baseline",
                "--quick", "--home", ProxyLauncher.resolveHome(null).toString(), "--out", dir.toString() },
            new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            false);

        final String out = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out + "\n" + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("[combination 1/2] workers=1 busy_poll_us=0"), out);
        assertTrue(out.contains("[combination 2/2] workers=2 busy_poll_us=0"), out);
        assertTrue(out.contains("| baseline | workers=1 busy_poll_us=0 | "), out);
        assertTrue(out.contains("| baseline | workers=2 busy_poll_us=0 | "), out);
        assertTrue(out.contains("Best for baseline ("), out);
        assertTrue(out.contains("```toml\nworkers = "), out);
        assertTrue(!out.contains("| - |"), "RPS, p99 and CPU of every row:\n" + out);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("sweep.svg").toFile());
        assertTrue(Files.readString(dir.resolve("sweep.md")).contains("Best for baseline"));
    }
}
