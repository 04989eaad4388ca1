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

    static final String USAGE = String.join("\n",
        "usage: tcp-proxy <command> [options]",
        "",
        "  demo      start the echo server and the proxy, drive a light load, then keep both up until Ctrl+C",
        "            [--workers N] [--connections N] [--size SIZE] [--duration-secs S] [--home DIR]",
        "  bench     start the echo server and the proxy, run the scenario matrix against proxy, direct and others",
        "            [--quick] [--runs N] [--scenarios FILE] [--scenario NAME ...] [--against NAME=HOST:PORT ...]",
        "            [--workers N] [--with-haproxy] [--with-nginx] [--out DIR] [--threads N] [--rate R]",
        "            [--duration-secs S] [--timeout-ms MS] [--bulk [--bulk-size SIZE]] [--home DIR]",
        "            --bulk: after the matrix, also the cases of 'bulk' (upload and download, 1 and 4 connections)",
        "            against direct, proxy and haproxy/nginx as requested, same --workers and --runs; one report",
        "            with both tables. --bulk-size is per connection (default 1GiB; --quick: 64MiB)",
        "  loadgen   run the load generator against running echo endpoints (starts nothing)",
        "            --target NAME=HOST:PORT ... [--quick] [--runs N] [--scenarios FILE] [--scenario NAME ...]",
        "            [--connections N --size SIZE] [--duration-secs S] [--rate R] [--threads N] [--timeout-ms MS]",
        "            [--out DIR]",
        "  bulk      start a bulk server and the proxy, measure one-way bulk throughput (upload and download,",
        "            1 and 4 connections) through proxy, direct and optionally haproxy/nginx; median of --runs",
        "            [--bytes SIZE] [--connections 1,4] [--runs N] [--direction up|down|both] [--quick]",
        "            [--workers N] [--with-haproxy] [--with-nginx] [--server-threads N] [--warmup-bytes SIZE]",
        "            [--timeout-secs S] [--out DIR] [--home DIR]",
        "            --bytes is per connection (default 1GiB; --quick: 256MiB); SIZE units are binary (1GiB = 2^30)",
        "  idle-check  open N connections to a running echo endpoint (one message each), hold them idle until",
        "            --release-file exists or --hold-secs ends, then echo once more on each and close (starts nothing)",
        "            --target HOST:PORT [--connections N (10000)] [--message-bytes B (32)] [--in-flight N (200)]",
        "            [--hold-secs S (600)] [--release-file PATH] [--timeout-secs S (120)]",
        "            bench-jmh/check-idle-and-gc.sh runs it against the proxy and measures the proxy's heap",
        "",
        "  --rate R     open loop: R requests/s in total, latency from the intended send time (default: closed loop)",
        "  --threads N  selector threads of the load generator (default " + BenchOptions.defaultSelectorThreads() +
        ")",
        "  --quick      1 s per scenario, short warm-up",
        "  SIZE         bytes, or 64B, 1KiB, 64KiB",
        "",
        "JMH microbenchmarks: java -cp bench-jmh/target/tcp-proxy-bench.jar org.openjdk.jmh.Main -prof gc",
        "");

    private BenchMain()
    {
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
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0]))
        {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        try
        {
            return switch (args[0])
            {
                case "loadgen" -> LoadgenCommand.run(args, out, terminal);
                case "bench" -> BenchCommand.run(args, out, terminal);
                case "demo" -> DemoCommand.run(args, out, terminal);
                case "bulk" -> BulkCommand.run(args, out, terminal);
                case "bulk-server" -> BulkServerMain.run(args, out);
                case "idle-check" -> IdleCheckCommand.run(args, out);
                default -> throw new UsageException(
                    "unknown command '" + args[0] + "'; expected demo, bench, loadgen, bulk or idle-check");
            };
        }
        catch (final UsageException | ScenarioException | BulkUsageException | IdleUsageException ex)
        {
            err.println("error: " + ex.getMessage());
            if (!(ex instanceof ScenarioException))
            {
                err.println("run 'tcp-proxy help' for the options");
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
            return EXIT_FAILURE;
        }
    }
}
