package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code soak} for a few seconds against the real proxy from {@code cli/target/tcp-proxy.jar}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SoakIT
{
    @Test
    void shouldRunMixedLoadAndFindTheTotalsExactAndNothingGrown(@TempDir final Path dir)
    {
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

        final int exit = BenchMain.run(
            new String[]{ "soak", "--minutes", "0.05", "--home", ProxyLauncher.resolveHome(null).toString(), "--out",
                dir.toString() },
            new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            false);

        final String out = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, out + "\n" + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("proxy totals exact"), out);
        assertTrue(out.contains(": PASS"), out);
        assertTrue(out.contains(" s] RSS "), "samples while the load runs:\n" + out);
    }
}
