package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        final BenchRun run = BenchRun.of(
            "soak", "--minutes", "0.05", "--home", ProxyLauncher.resolveHome(null).toString(), "--out",
            dir.toString());

        run.assertSucceededPrinting("proxy totals exact", ": PASS");
        assertTrue(run.out().contains(" s] RSS "), "samples while the load runs:\n" + run.out());
    }
}
