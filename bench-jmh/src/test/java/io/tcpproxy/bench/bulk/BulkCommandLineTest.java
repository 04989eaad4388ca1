package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.BenchMain;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkCommandLineTest
{
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        return BenchMain.run(args,
            new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            false);
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReportBulkUsageErrorsWithExitCodeTwo()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bulk", "--direction", "sideways"));
        assertTrue(err().contains("error: --direction expects up, down or both, got \"sideways\""), err());
        assertTrue(err().contains("run 'tcp-proxy bulk --help' for the options"), err());
    }

    @Test
    void shouldReportBulkServerUsageErrors()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bulk-server", "--listen", "nowhere"));
        assertTrue(err().contains("expected HOST:PORT, got \"nowhere\""), err());
        assertEquals(BenchMain.EXIT_USAGE, run("bulk-server", "--threads", "0", "--listen", "127.0.0.1:0"));
        assertTrue(err().contains("--threads expects an integer from 1 to 64"), err());
    }

    @Test
    void shouldListBulkInTheUsage()
    {
        assertEquals(0, run("help"));
        final String overview = outBytes.toString(StandardCharsets.UTF_8);
        assertTrue(overview.contains("  bulk         start a bulk server and the proxy"), overview);
        outBytes.reset();
        assertEquals(0, run("bulk", "--help"));
        final String usage = outBytes.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--bytes SIZE          bytes per connection"), usage);
    }
}
