package io.tcpproxy.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HelpTest
{
    private static final List<List<String>> COMMANDS = List.of(
        List.of("demo"), List.of("bench"), List.of("bench", "sweep"), List.of("bulk"), List.of("loadgen"),
        List.of("soak"), List.of("idle-check"));

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(final String... args)
    {
        outBytes.reset();
        errBytes.reset();
        return BenchMain.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);
    }

    private String out()
    {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerHelpAndDashHAndHelpCommandWithTheCommandsUsageOnStdout()
    {
        for (final List<String> command : COMMANDS)
        {
            final String expected = "usage: tcp-proxy " + String.join(" ", command);
            for (final String flag : List.of("--help", "-h"))
            {
                final List<String> args = new ArrayList<>(command);
                args.add(flag);
                assertEquals(0, run(args.toArray(String[]::new)), args + ": " + errBytes);
                assertTrue(out().startsWith(expected), args + ":\n" + out());
                assertEquals("", errBytes.toString(StandardCharsets.UTF_8));
            }
            final List<String> help = new ArrayList<>(List.of("help"));
            help.addAll(command);
            assertEquals(0, run(help.toArray(String[]::new)), help.toString());
            assertTrue(out().startsWith(expected), help + ":\n" + out());
        }
    }

    @Test
    void shouldAnswerHelpEvenAfterOtherOptions()
    {
        assertEquals(0, run("loadgen", "--quick", "--help"));
        assertTrue(out().startsWith("usage: tcp-proxy loadgen"), out());
    }

    @Test
    void shouldListEveryCommandInTheOverview()
    {
        assertEquals(0, run("--help"));
        for (final String command : List.of("demo", "bench", "bulk", "loadgen", "soak", "idle-check"))
        {
            assertTrue(out().contains("\n  " + command + " "), command + ":\n" + out());
        }
    }

    @Test
    void shouldListOptionsSortedByName()
    {
        for (final List<String> command : COMMANDS)
        {
            final List<String> options = new ArrayList<>();
            for (final String line : Usage.of(command).split("\n"))
            {
                if (line.startsWith("  --"))
                {
                    options.add(line.strip().split(" ")[0]);
                }
            }
            final List<String> sorted = new ArrayList<>(options);
            sorted.sort(null);
            assertTrue(options.size() >= 4, command + ": " + options);
            assertEquals(sorted, options, command.toString());
        }
    }

    @Test
    void shouldSortTheExpectedOptionsOfAnUnknownOption()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("loadgen", "--fast"));
        final String err = errBytes.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("expected one of: --connections --duration-secs --out --quick --rate --runs " +
            "--scenario --scenarios --size --target --threads --timeout-ms"), err);
        assertTrue(err.contains("run 'tcp-proxy loadgen --help'"), err);
        assertEquals(BenchMain.EXIT_USAGE, run("bulk", "--fast"));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("expected one of: --bytes --connections " +
            "--direction --home --out --quick --runs --server-threads --timeout-secs --warmup-bytes --with-haproxy " +
            "--with-nginx --workers"), errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldRejectHelpForAnUnknownCommand()
    {
        assertEquals(BenchMain.EXIT_USAGE, run("help", "benchmark"));
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("no help for 'benchmark'"));
    }
}
