package io.tcpproxy.bench;

import io.tcpproxy.bench.report.Measurement;
import io.tcpproxy.bench.report.Reports;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepTest
{
    @Test
    void shouldCombineEverySetWithEveryOtherInOrder()
    {
        final Map<String, List<String>> sets = new LinkedHashMap<>();
        sets.put("workers", List.of("1", "2"));
        sets.put("accept_mode", List.of("reuse_port", "acceptor"));
        sets.put("busy_poll_us", List.of("0", "50"));

        final List<Map<String, String>> combinations = SweepCommand.combinations(sets);

        assertEquals(8, combinations.size());
        assertEquals(Map.of("workers", "1", "accept_mode", "reuse_port", "busy_poll_us", "0"), combinations.get(0));
        assertEquals(Map.of("workers", "2", "accept_mode", "acceptor", "busy_poll_us", "50"), combinations.get(7));
        assertEquals("workers = 2\naccept_mode = \"acceptor\"\nbusy_poll_us = 50\n",
            SweepCommand.toml(combinations.get(7)));
    }

    @Test
    void shouldPickTheFastestCombinationWithoutErrorsAndPrintItsTomlLines()
    {
        final Measurement slow = Reports.cell(1, Reports.BASELINE, "proxy", 50_000, 300, 0);
        final Measurement fastButFailing = Reports.cell(1, Reports.BASELINE, "proxy", 90_000, 300, 3);
        final Measurement fast = Reports.cell(1, Reports.BASELINE, "proxy", 80_000, 200, 0);
        final List<SweepCommand.Row> rows = List.of(
            new SweepCommand.Row(Map.of("workers", "1"), slow),
            new SweepCommand.Row(Map.of("workers", "2"), fastButFailing),
            new SweepCommand.Row(Map.of("workers", "4"), fast));

        assertEquals(Map.of("workers", "4"), SweepCommand.best(Reports.BASELINE, rows).settings());
        final String markdown = SweepCommand.markdown(List.of(Reports.BASELINE), rows);
        assertTrue(markdown.contains("| baseline | workers=4 | 80,000 | 200μs | - |\n"), markdown);
        assertTrue(markdown.contains("Best for baseline (80,000 RPS, p99 200μs), proxy.toml:\n\n```toml\nworkers = 4\n```"),
            markdown);
    }

    @Test
    void shouldRejectASweepWithoutSetsOrWithAnAddress()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        assertEquals(BenchMain.EXIT_USAGE, BenchMain.run(new String[]{ "bench", "sweep", "--quick" }, out, errStream, false));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("needs at least one --set KEY=V1,V2"));
        assertEquals(BenchMain.EXIT_USAGE, BenchMain.run(
            new String[]{ "bench", "sweep", "--set", "listen_addr=127.0.0.1:1" }, out, errStream, false));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("the sweep chooses the addresses itself"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("run 'tcp-proxy bench sweep --help'"));
    }
}
