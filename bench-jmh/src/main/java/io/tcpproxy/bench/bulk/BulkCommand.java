package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.process.ExternalProxies;
import io.tcpproxy.bench.process.ProxyLauncher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code bulk}: run the {@link BulkBench} with the command's options, print the medians and write
 * {@code bulk.md} and {@code bulk.json}.
 */
public final class BulkCommand
{
    /** Exit code when a transfer failed. */
    public static final int EXIT_FAILURE = 1;
    /** Exit code when a signal stopped the run (the JVM itself ends with the signal's 130 or 143). */
    public static final int EXIT_INTERRUPTED = 130;

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private BulkCommand()
    {
    }

    /**
     * @param args     {@code bulk} and its options.
     * @param out      where progress and the table go.
     * @param terminal true to rewrite the progress line in place.
     * @return 0, or {@link #EXIT_FAILURE} when a transfer failed.
     * @throws IOException          when a process cannot start or a report cannot be written.
     * @throws InterruptedException when interrupted.
     */
    public static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        final BulkOptions options = BulkOptions.parse(args);
        ExternalProxies.requireInstalled(options.withHaproxy, options.withNginx);
        final ProxyLauncher launcher = new ProxyLauncher(ProxyLauncher.resolveHome(options.home));
        final Path outDir = options.outDir != null ? Path.of(options.outDir).toAbsolutePath() :
            launcher.home().resolve("bench-results").resolve(LocalDateTime.now().format(TIMESTAMP));
        final BulkReport report = BulkBench.run(
            options, launcher, outDir, "tcp-proxy " + String.join(" ", args), out, terminal);

        out.println();
        final String table = BulkMarkdown.render(report);
        out.print(table);
        out.println();
        final Path markdown = outDir.resolve("bulk.md");
        final Path json = outDir.resolve("bulk.json");
        Files.writeString(markdown, "Command: `" + report.commandLine() + "`\n\n" + table, StandardCharsets.UTF_8);
        Files.writeString(json, BulkJson.render(report), StandardCharsets.UTF_8);
        final Path svg = outDir.resolve("bulk.svg");
        Files.writeString(svg, BulkChart.render(report), StandardCharsets.UTF_8);
        out.println("wrote " + markdown);
        out.println("wrote " + json);
        out.println("wrote " + svg);
        out.println("logs of the child processes are in " + outDir);
        if (report.interrupted())
        {
            out.println("interrupted: the reports hold what was measured before the signal");
        }
        return exitCode(report);
    }

    /**
     * @param report a finished bulk measurement.
     * @return 0, or {@link #EXIT_FAILURE} when a transfer failed.
     */
    public static int exitCode(final BulkReport report)
    {
        if (report.interrupted())
        {
            return EXIT_INTERRUPTED;
        }
        return report.errors() == 0 ? 0 : EXIT_FAILURE;
    }
}
