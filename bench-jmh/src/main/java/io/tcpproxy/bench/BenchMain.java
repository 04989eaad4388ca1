package io.tcpproxy.bench;

import io.tcpproxy.bench.bulk.BulkCommand;
import io.tcpproxy.bench.bulk.BulkServerMain;
import io.tcpproxy.bench.bulk.BulkUsageException;
import io.tcpproxy.bench.idle.IdleCheckCommand;
import io.tcpproxy.bench.idle.IdleUsageException;
import io.tcpproxy.bench.scenario.ScenarioException;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Entry point of {@code tcp-proxy-bench.jar}: {@code bench}, {@code demo}, {@code loadgen}, {@code bulk} and
 * {@code idle-check} (plus the hidden {@code bulk-server} that {@code bulk} starts as a child process). JMH runs from
 * the same jar with {@code java -cp tcp-proxy-bench.jar org.openjdk.jmh.Main}.
 */
public final class BenchMain
{
    /** Exit code of a command line that cannot be run. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of a command that failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code of a command stopped by Ctrl+C (the JVM itself ends with the signal's 130 or 143). */
    public static final int EXIT_INTERRUPTED = 130;

    private BenchMain()
    {
    }

    private static int help(final List<String> command, final PrintStream out, final PrintStream err)
    {
        if (command.isEmpty())
        {
            out.print(Usage.overview());
            return 0;
        }
        final String usage = Usage.of(command);
        if (usage == null)
        {
            err.println("error: no help for '" + String.join(" ", command) +
                "'; the commands are bench, bench sweep, bulk, demo, idle-check, loadgen and soak");
            return EXIT_USAGE;
        }
        out.print(usage);
        return 0;
    }

    /**
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.console() != null));
    }

    /**
     * Run a command in this JVM.
     *
     * @param args     the command and its options.
     * @param out      where tables and progress go.
     * @param err      where errors go.
     * @param terminal true to rewrite the progress line in place.
     * @return the exit code: 0, {@link #EXIT_FAILURE} or {@link #EXIT_USAGE}.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err, final boolean terminal)
    {
        if (args.length == 0)
        {
            err.print(Usage.overview());
            return EXIT_USAGE;
        }
        if ("help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0]))
        {
            return help(List.of(args).subList(1, args.length), out, err);
        }
        if (Usage.asksForHelp(args))
        {
            final boolean sweep = "bench".equals(args[0]) && args.length > 1 && "sweep".equals(args[1]);
            return help(sweep ? List.of("bench", "sweep") : List.of(args[0]), out, err);
        }
        try
        {
            return switch (args[0])
            {
                case "loadgen" -> LoadgenCommand.run(args, out, terminal);
                case "bench" -> args.length > 1 && "sweep".equals(args[1]) ?
                    SweepCommand.run(args, out, terminal) : BenchCommand.run(args, out, terminal);
                case "soak" -> SoakCommand.run(args, out, terminal);
                case "demo" -> DemoCommand.run(args, out, terminal);
                case "bulk" -> BulkCommand.run(args, out, terminal);
                case "bulk-server" -> BulkServerMain.run(args, out);
                case "idle-check" -> IdleCheckCommand.run(args, out);
                default -> throw new UsageException(
                    "unknown command '" + args[0] + "'; expected bench, bulk, demo, idle-check, loadgen or soak");
            };
        }
        catch (final UsageException | ScenarioException | BulkUsageException | IdleUsageException ex)
        {
            err.println("error: " + ex.getMessage());
            if (!(ex instanceof ScenarioException))
            {
                err.println("run 'tcp-proxy " + (args[0].equals("bench") && args.length > 1 &&
                    args[1].equals("sweep") ? "bench sweep" : args[0]) + " --help' for the options");
            }
            return EXIT_USAGE;
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println();
            err.println("error: " + ex.getMessage());
            return EXIT_FAILURE;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return EXIT_INTERRUPTED;
        }
    }
}
