package io.tcpproxy.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest
{
    private static final Set<String> BULK = Set.of("--quick", "--bulk", "--bulk-size");
    private static final long MIB = 1024L * 1024;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        return BenchMain.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);
    }

    private String err()
    {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldTakeTheBulkPartOnlyWithBulk()
    {
        final BenchOptions plain = BenchOptions.parse("bench", new String[]{"bench", "--quick"}, BULK);
        assertFalse(plain.bulk);
        assertNull(plain.bulkOptions(2));

        final BenchOptions bulk = BenchOptions.parse("bench", new String[]{"bench", "--bulk"}, BULK);
        assertTrue(bulk.bulk);
        assertEquals(-1, bulk.bulkBytesPerConnection, "the default size is BulkOptions.forBench's");
        assertNotNull(bulk.bulkOptions(2));

        assertEquals(256 * MIB, BenchOptions.parse("bench", new String[]{"bench", "--bulk", "--bulk-size", "256MiB"}, BULK)
            .bulkBytesPerConnection);
        assertEquals(16 * MIB, BenchOptions.parse("bench", new String[]{"bench", "--bulk-size=16m", "--bulk"}, BULK)
            .bulkBytesPerConnection);
    }

    @Test
    void shouldTakeTheNumberOfUpstreamsWithOneByDefault()
    {
        final Set<String> allowed = Set.of("--upstreams");
        assertEquals(1, BenchOptions.parse("bench", new String[]{"bench"}, allowed).upstreams);
        assertEquals(3, BenchOptions.parse("bench", new String[]{"bench", "--upstreams", "3"}, allowed).upstreams);
    }

    @Test
    void shouldRejectZeroOrTooManyUpstreamsBeforeStartingAnything()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--upstreams", "0"));
        assertTrue(err().contains("--upstreams"), err());
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--upstreams", "17"));
        assertEquals(BenchMain.EXIT_USAGE, run("loadgen", "--upstreams", "3"));
        assertTrue(err().contains("unknown option for 'loadgen': --upstreams"), err());
    }

    @Test
    void shouldRejectABadBulkSizeBeforeStartingAnything()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--bulk", "--bulk-size", "1TB"));
        assertTrue(err().contains("error: --bulk-size: expected a size like 1GiB, 256MiB or 65536 (units are binary: " +
            "K, M, G = 2^10, 2^20, 2^30), got \"1TB\""), err());
        assertTrue(err().contains("run 'tcp-proxy bench --help' for the options"), err());
    }

    @Test
    void shouldRejectAZeroOrMissingBulkSize()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--bulk", "--bulk-size", "0"));
        assertTrue(err().contains("error: --bulk-size expects at least 1 byte, got \"0\""), err());
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--bulk", "--bulk-size"));
        assertTrue(err().contains("error: --bulk-size needs a value"), err());
    }

    @Test
    void shouldRejectABulkSizeWithoutBulkAndBulkOutsideBench()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("bench", "--bulk-size", "64MiB"));
        assertTrue(err().contains("error: --bulk-size is the size of the bulk cases; it needs --bulk"), err());
        assertEquals(BenchMain.EXIT_USAGE, run("loadgen", "--target", "a=127.0.0.1:1", "--bulk"));
        assertTrue(err().contains("unknown option for 'loadgen': --bulk"), err());
    }

    @Test
    void shouldListBulkInTheUsageOfBench()
    {
        final String usage = Usage.of(java.util.List.of("bench"));
        assertTrue(usage.contains("--bulk "), usage);
        assertTrue(usage.contains("--bulk-size SIZE      bytes per connection of --bulk (default 1GiB; --quick: 64MiB)"),
            usage);
    }
}
