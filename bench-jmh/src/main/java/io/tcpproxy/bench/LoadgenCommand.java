package io.tcpproxy.bench;

import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.MarkdownTable;
import io.tcpproxy.bench.scenario.Scenario;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code loadgen}: measure running echo endpoints; starts no processes.
 */
final class LoadgenCommand
{
    private static final Set<String> OPTIONS = Set.of(
        "--target", "--quick", "--runs", "--scenarios", "--scenario", "--connections", "--size", "--duration-secs",
        "--rate", "--threads", "--timeout-ms", "--out");

    private LoadgenCommand()
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        final BenchOptions options = BenchOptions.parse("loadgen", args, OPTIONS);
        if (options.targets.isEmpty())
        {
            throw new UsageException("loadgen needs at least one --target NAME=HOST:PORT, e.g. --target proxy=127.0.0.1:3000");
        }
        final List<Scenario> scenarios = options.scenarios(null);
        final MatrixRunner runner = new MatrixRunner(new ProgressLine(out, terminal), options.selectorThreads, options.timeoutNs);
        try (Interruption interruption = Interruption.ofCurrentThread())
        {
            final BenchReport report = runner.run(scenarios, options.targets, options.runs, options.mode(scenarios));
            out.println();
            out.print(MarkdownTable.render(report));
            if (options.outDir != null)
            {
                out.println();
                for (final Path path : ReportFiles.write(report, Path.of(options.outDir), "tcp-proxy " + String.join(" ", args)))
                {
                    out.println("wrote " + path);
                }
            }
            return BenchCommand.finish(report, interruption, out);
        }
    }
}
