package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.bench.soak.Soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code soak --minutes N}: mixed load through a fresh proxy; exit 1 on growth or a mismatch of the totals.
 */
final class SoakCommand
{
    private static final String OPTIONS = "--home --minutes --out --workers";

    private SoakCommand()
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        double minutes = 10;
        int workers = 0;
        String home = null;
        String outDir = null;
        final Args cursor = new Args(args, 1);
        while (cursor.hasNext())
        {
            final String option = cursor.next();
            switch (option)
            {
                case "--minutes" -> minutes = cursor.doubleValue(option, 0.01);
                case "--workers" -> workers = cursor.intValue(option, 1, 1024);
                case "--home" -> home = cursor.value(option);
                case "--out" -> outDir = cursor.value(option);
                default -> throw new UsageException(
                    "unknown option for 'soak': " + option + "; expected one of: " + OPTIONS);
            }
        }
        final ProxyLauncher launcher = new ProxyLauncher(ProxyLauncher.resolveHome(home));
        final Path logDir = outDir != null ? Files.createDirectories(Path.of(outDir)) :
            Files.createTempDirectory("tcp-proxy-soak-");
        out.println("soak: " + minutes + " min of mixed load (4 churn clients, 20 long-lived connections, 1 B to 64 KiB" +
            " messages); logs in " + logDir);
        final List<String> failures = Soak.run(launcher, logDir, (long)(minutes * 60e9), workers, out);
        return failures.isEmpty() ? 0 : BenchMain.EXIT_FAILURE;
    }
}
