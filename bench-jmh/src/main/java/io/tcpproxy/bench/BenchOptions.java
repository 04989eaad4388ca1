package io.tcpproxy.bench;

import io.tcpproxy.bench.bulk.BulkOptions;
import io.tcpproxy.bench.loadgen.LoadSpec;
import io.tcpproxy.bench.report.Target;
import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The options of {@code loadgen}, {@code bench} and {@code demo}; each command accepts its own subset.
 */
final class BenchOptions
{
    /** Echo servers {@code --upstreams} may start: enough to see a pool, few enough for a laptop. */
    static final int MAX_UPSTREAMS = 16;

    boolean quick;
    int runs = 1;
    String scenariosFile;
    final List<String> onlyScenarios = new ArrayList<>();
    final List<Target> targets = new ArrayList<>();
    int workers;
    boolean withHaproxy;
    boolean withNginx;
    int upstreams = 1;
    String outDir;
    String home;
    int selectorThreads = defaultSelectorThreads();
    double ratePerSec = -1;
    double durationSecs = -1;
    int connections = -1;
    int messageBytes = -1;
    long timeoutNs = LoadSpec.DEFAULT_TIMEOUT_NS;
    boolean bulk;
    long bulkBytesPerConnection = -1;

    static BenchOptions parse(final String command, final String[] args, final Set<String> allowed)
    {
        final BenchOptions options = new BenchOptions();
        final Args cursor = new Args(args, 1);
        while (cursor.hasNext())
        {
            final String option = cursor.next();
            if (!allowed.contains(option))
            {
                throw new UsageException("unknown option for '" + command + "': " + option +
                    "; expected one of: " + String.join(" ", new TreeSet<>(allowed)));
            }
            switch (option)
            {
                case "--quick" -> options.quick = true;
                case "--runs" -> options.runs = cursor.intValue(option, 1, 1000);
                case "--scenarios" -> options.scenariosFile = cursor.value(option);
                case "--scenario" -> options.onlyScenarios.add(cursor.value(option));
                case "--target", "--against" -> options.targets.add(parseTarget(option, cursor.value(option)));
                case "--workers" -> options.workers = cursor.intValue(option, 1, 1024);
                case "--with-haproxy" -> options.withHaproxy = true;
                case "--with-nginx" -> options.withNginx = true;
                case "--upstreams" -> options.upstreams = cursor.intValue(option, 1, MAX_UPSTREAMS);
                case "--out" -> options.outDir = cursor.value(option);
                case "--home" -> options.home = cursor.value(option);
                case "--threads" -> options.selectorThreads = cursor.intValue(option, 1, 64);
                case "--rate" -> options.ratePerSec = cursor.doubleValue(option, 0);
                case "--duration-secs" -> options.durationSecs = cursor.doubleValue(option, 0.1);
                case "--connections" -> options.connections = cursor.intValue(option, 1, 100_000);
                case "--size" -> options.messageBytes = parseSize(cursor.value(option));
                case "--timeout-ms" -> options.timeoutNs =
                    TimeUnit.MILLISECONDS.toNanos(cursor.intValue(option, 1, 3_600_000));
                case "--bulk" -> options.bulk = true;
                case "--bulk-size" -> options.bulkBytesPerConnection =
                    BulkOptions.positiveSize(option, cursor.value(option));
                default -> throw new UsageException("unhandled option " + option);
            }
        }
        if (options.bulkBytesPerConnection > 0 && !options.bulk)
        {
            throw new UsageException("--bulk-size is the size of the bulk cases; it needs --bulk");
        }
        return options;
    }

    /**
     * The scenarios to run: {@code --connections/--size} make one ad-hoc scenario; otherwise the file of
     * {@code --scenarios}, else {@code bench-jmh/scenarios.toml} under the home directory, else the built-in
     * copy of it; then {@code --scenario} filters, {@code --duration-secs}, {@code --rate} and {@code --quick}
     * apply.
     */
    List<Scenario> scenarios(final Path home) throws IOException
    {
        List<Scenario> scenarios;
        if (connections > 0 || messageBytes > 0)
        {
            scenarios = List.of(new Scenario(
                "custom",
                connections > 0 ? connections : 10,
                messageBytes > 0 ? messageBytes : 1024,
                TimeUnit.SECONDS.toNanos(5),
                TimeUnit.SECONDS.toNanos(1),
                0));
        }
        else if (scenariosFile != null)
        {
            final Path file = Path.of(scenariosFile);
            if (!Files.isRegularFile(file))
            {
                throw new UsageException("--scenarios: no such file " + file.toAbsolutePath());
            }
            scenarios = ScenarioFile.load(file);
        }
        else if (home != null && Files.isRegularFile(home.resolve("bench-jmh").resolve("scenarios.toml")))
        {
            scenarios = ScenarioFile.load(home.resolve("bench-jmh").resolve("scenarios.toml"));
        }
        else
        {
            scenarios = ScenarioFile.loadDefault();
        }

        if (!onlyScenarios.isEmpty())
        {
            final Set<String> wanted = new LinkedHashSet<>(onlyScenarios);
            final List<Scenario> filtered = new ArrayList<>();
            for (final Scenario scenario : scenarios)
            {
                if (wanted.remove(scenario.name()))
                {
                    filtered.add(scenario);
                }
            }
            if (!wanted.isEmpty())
            {
                final List<String> names = new ArrayList<>();
                scenarios.forEach(scenario -> names.add(scenario.name()));
                throw new UsageException("--scenario: no scenario named " + String.join(", ", wanted) +
                    "; expected one of: " + String.join(", ", names));
            }
            scenarios = filtered;
        }

        final List<Scenario> adjusted = new ArrayList<>(scenarios.size());
        for (final Scenario scenario : scenarios)
        {
            Scenario next = scenario;
            if (durationSecs > 0)
            {
                next = new Scenario(next.name(), next.connections(), next.messageBytes(),
                    (long)(durationSecs * 1e9), next.warmupNs(), next.ratePerSec());
            }
            if (ratePerSec >= 0)
            {
                next = next.withRate(ratePerSec);
            }
            if (quick)
            {
                next = next.quick();
            }
            adjusted.add(next);
        }
        return adjusted;
    }

    /**
     * @param workers the proxy's workers, resolved.
     * @return the bulk cases of {@code --bulk} with this matrix's runs, workers and HAProxy/nginx, or null without
     * {@code --bulk}.
     */
    BulkOptions bulkOptions(final int workers)
    {
        return bulk ? BulkOptions.forBench(quick, bulkBytesPerConnection, runs, workers, withHaproxy, withNginx) : null;
    }

    String mode(final List<Scenario> scenarios)
    {
        boolean open = false;
        boolean closed = false;
        for (final Scenario scenario : scenarios)
        {
            open |= scenario.ratePerSec() > 0;
            closed |= scenario.ratePerSec() == 0;
        }
        final String loop = open && closed ? "closed and open loop" : open ? "open loop" : "closed loop";
        return loop + (quick ? ", quick" : "") + ", " + selectorThreads + " load thread" +
            (selectorThreads == 1 ? "" : "s");
    }

    private static Target parseTarget(final String option, final String text)
    {
        try
        {
            return Target.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException(option + ": " + ex.getMessage());
        }
    }

    private static int parseSize(final String text)
    {
        try
        {
            return ScenarioFile.parseSize(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new UsageException("--size: " + ex.getMessage());
        }
    }

    static int defaultSelectorThreads()
    {
        return Runtime.getRuntime().availableProcessors() <= 4 ? 1 : 2;
    }

    static String describeSeconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f s", ns / 1e9);
    }
}
