package io.tcpproxy.bench;

import io.tcpproxy.bench.cpu.CpuSource;
import io.tcpproxy.bench.cpu.ProcCpu;
import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.bench.report.BenchReport;
import io.tcpproxy.bench.report.Measurement;
import io.tcpproxy.bench.report.RunInfo;
import io.tcpproxy.bench.report.SvgBars;
import io.tcpproxy.bench.report.Target;
import io.tcpproxy.bench.report.Units;
import io.tcpproxy.bench.scenario.Scenario;
import io.tcpproxy.bench.scenario.ScenarioFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code bench sweep --set KEY=V1,V2 ...}: one proxy per combination of settings in front of the same echo server,
 * the scenarios against each, a table and a chart of RPS, p99 and CPU per round trip, and the {@code proxy.toml}
 * lines of the best combination per scenario (highest RPS).
 */
final class SweepCommand
{
    private static final String OPTIONS = "--home --out --quick --scenarios --set --threads";
    private static final List<String> DEFAULT_SCENARIOS = List.of("heavy-load", "stress-test");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private SweepCommand()
    {
    }

    /** One combination's results. */
    record Row(Map<String, String> settings, Measurement median)
    {
    }

    static int run(final String[] args, final PrintStream out, final boolean terminal)
        throws IOException, InterruptedException
    {
        final Map<String, List<String>> sets = new LinkedHashMap<>();
        final List<String> scenarioNames = new ArrayList<>();
        boolean quick = false;
        String home = null;
        String outDir = null;
        int threads = BenchOptions.defaultSelectorThreads();
        final Args cursor = new Args(args, 2);
        while (cursor.hasNext())
        {
            final String option = cursor.next();
            switch (option)
            {
                case "--set" -> addSet(sets, cursor.value(option));
                case "--scenarios" -> scenarioNames.addAll(List.of(cursor.value(option).split(",")));
                case "--quick" -> quick = true;
                case "--home" -> home = cursor.value(option);
                case "--out" -> outDir = cursor.value(option);
                case "--threads" -> threads = cursor.intValue(option, 1, 64);
                default -> throw new UsageException(
                    "unknown option for 'bench sweep': " + option + "; expected one of: " + OPTIONS);
            }
        }
        if (sets.isEmpty())
        {
            throw new UsageException("bench sweep needs at least one --set KEY=V1,V2, e.g. --set workers=1,2");
        }
        final ProxyLauncher launcher = new ProxyLauncher(ProxyLauncher.resolveHome(home));
        final List<Scenario> scenarios = scenarios(launcher.home(), scenarioNames, quick);
        final List<Map<String, String>> combinations = combinations(sets);
        final Path dir = outDir != null ? Path.of(outDir).toAbsolutePath() :
            launcher.home().resolve("bench-results").resolve("sweep-" + LocalDateTime.now().format(TIMESTAMP));
        Files.createDirectories(dir);
        out.println("sweep: " + combinations.size() + " combinations x " + scenarios.size() + " scenarios; " +
            "reports and logs in " + dir);

        final Instant startedAt = Instant.now();
        final List<Row> rows = new ArrayList<>();
        boolean interrupted = false;
        try (Interruption interruption = Interruption.ofCurrentThread(); Children echoChildren = new Children())
        {
            final int echoPort = launcher.startEcho(echoChildren, dir);
            for (int c = 0; c < combinations.size() && !interrupted; c++)
            {
                final Map<String, String> settings = combinations.get(c);
                final String label = label(settings);
                out.println("[combination " + (c + 1) + "/" + combinations.size() + "] " + label);
                final Path config = dir.resolve("combination-" + (c + 1) + ".toml");
                Files.writeString(config, "# bench sweep, combination " + (c + 1) + "\n" + toml(settings),
                    StandardCharsets.UTF_8);
                try (Children proxyChildren = new Children())
                {
                    final ProxyLauncher.StartedProxy proxy = launcher.startProxy(proxyChildren, dir,
                        "proxy-" + (c + 1), "127.0.0.1:0", echoPort, "127.0.0.1:0", 0, "off",
                        List.of("--config", config.toString()));
                    final ProcCpu proc = ProcCpu.system();
                    final Map<String, CpuSource> cpu = proc.available() ?
                        Map.of("proxy", CpuSource.proxy(proc, proxy.process().pid())) : Map.of();
                    final MatrixRunner runner = new MatrixRunner(new ProgressLine(out, terminal), threads,
                        io.tcpproxy.bench.loadgen.LoadSpec.DEFAULT_TIMEOUT_NS, cpu);
                    final BenchReport report = runner.run(scenarios,
                        List.of(new Target("proxy", "127.0.0.1", proxy.port())), 1, quick ? "quick" : "closed loop");
                    for (final Scenario scenario : scenarios)
                    {
                        final Measurement median = report.median(scenario.name(), "proxy");
                        if (median != null)
                        {
                            rows.add(new Row(settings, median));
                        }
                    }
                    interrupted = interruption.signalled() || "interrupted".equals(report.incomplete());
                    if (report.incomplete() != null && !interrupted)
                    {
                        out.println("combination " + label + " stopped: " + report.incomplete());
                    }
                }
            }
            final String markdown = markdown(scenarios, rows);
            out.println();
            out.print(markdown);
            Files.writeString(dir.resolve("sweep.md"), markdown, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("sweep.svg"), chart(scenarios, combinations, rows, startedAt),
                StandardCharsets.UTF_8);
            out.println("wrote " + dir.resolve("sweep.md") + " and " + dir.resolve("sweep.svg"));
            if (interrupted)
            {
                out.println("interrupted: the reports hold what was measured before the signal");
                return BenchMain.EXIT_INTERRUPTED;
            }
        }
        return 0;
    }

    private static void addSet(final Map<String, List<String>> sets, final String text)
    {
        final int equals = text.indexOf('=');
        final String key = equals < 0 ? "" : text.substring(0, equals).strip();
        if (!KEY.matcher(key).matches() || equals == text.length() - 1)
        {
            throw new UsageException("--set expects KEY=V1,V2 with a proxy.toml key, e.g. workers=1,2; got \"" + text + "\"");
        }
        if (List.of("listen_addr", "target_addr", "metrics_addr").contains(key))
        {
            throw new UsageException("--set " + key + ": the sweep chooses the addresses itself");
        }
        final List<String> values = new ArrayList<>();
        for (final String value : text.substring(equals + 1).split(","))
        {
            if (!value.isBlank())
            {
                values.add(value.strip());
            }
        }
        sets.put(key, values);
    }

    static List<Map<String, String>> combinations(final Map<String, List<String>> sets)
    {
        List<Map<String, String>> combinations = List.of(new LinkedHashMap<>());
        for (final Map.Entry<String, List<String>> set : sets.entrySet())
        {
            final List<Map<String, String>> next = new ArrayList<>();
            for (final Map<String, String> partial : combinations)
            {
                for (final String value : set.getValue())
                {
                    final Map<String, String> combination = new LinkedHashMap<>(partial);
                    combination.put(set.getKey(), value);
                    next.add(combination);
                }
            }
            combinations = next;
        }
        return combinations;
    }

    /**
     * @return the settings as {@code proxy.toml} lines: numbers and booleans bare, anything else quoted.
     */
    static String toml(final Map<String, String> settings)
    {
        final StringBuilder out = new StringBuilder();
        settings.forEach((key, value) -> out.append(key).append(" = ")
            .append(value.matches("-?\\d+(\\.\\d+)?|true|false") ? value : "\"" + value.replace("\"", "") + "\"")
            .append('\n'));
        return out.toString();
    }

    private static String label(final Map<String, String> settings)
    {
        final StringBuilder out = new StringBuilder();
        settings.forEach((key, value) -> out.append(out.length() == 0 ? "" : " ").append(key).append('=').append(value));
        return out.toString();
    }

    private static List<Scenario> scenarios(final Path home, final List<String> names, final boolean quick)
        throws IOException
    {
        final Path file = home.resolve("bench-jmh").resolve("scenarios.toml");
        final List<Scenario> all = Files.isRegularFile(file) ? ScenarioFile.load(file) : ScenarioFile.loadDefault();
        final List<String> wanted = new ArrayList<>(names);
        if (wanted.isEmpty())
        {
            all.stream().map(Scenario::name).filter(DEFAULT_SCENARIOS::contains).forEach(wanted::add);
        }
        final List<Scenario> scenarios = new ArrayList<>();
        for (final Scenario scenario : all)
        {
            if (wanted.isEmpty() || wanted.contains(scenario.name()))
            {
                scenarios.add(quick ? scenario.quick() : scenario);
            }
        }
        for (final String name : wanted)
        {
            if (all.stream().noneMatch(scenario -> scenario.name().equals(name)))
            {
                final List<String> known = new ArrayList<>();
                all.forEach(scenario -> known.add(scenario.name()));
                throw new UsageException("--scenarios: no scenario named " + name + "; expected one of: " +
                    String.join(", ", known));
            }
        }
        return scenarios;
    }

    static String markdown(final List<Scenario> scenarios, final List<Row> rows)
    {
        final StringBuilder out = new StringBuilder();
        out.append("| Scenario | Settings | RPS | p99 | CPU/rt |\n| --- | --- | ---: | ---: | ---: |\n");
        for (final Scenario scenario : scenarios)
        {
            for (final Row row : rows)
            {
                if (row.median().scenario().name().equals(scenario.name()))
                {
                    out.append("| ").append(scenario.name()).append(" | ").append(label(row.settings())).append(" | ")
                        .append(Units.rps(row.median().requestsPerSec())).append(" | ")
                        .append(Units.latency(row.median().p99Ns())).append(" | ")
                        .append(Units.cpuPerRoundTrip(row.median().cpuUsPerRoundTrip())).append(" |\n");
                }
            }
        }
        out.append('\n').append("RPS: echoes per second; p99: round-trip latency; CPU/rt: the proxy's user + system ")
            .append("CPU per echo (/proc/PID/stat). ").append(io.tcpproxy.bench.report.MarkdownTable.UNITS).append('\n');
        for (final Scenario scenario : scenarios)
        {
            final Row best = best(scenario, rows);
            if (best != null)
            {
                out.append('\n').append("Best for ").append(scenario.name()).append(" (").append(
                    Units.rps(best.median().requestsPerSec())).append(" RPS, p99 ")
                    .append(Units.latency(best.median().p99Ns())).append("), proxy.toml:\n\n```toml\n")
                    .append(toml(best.settings())).append("```\n");
            }
        }
        return out.toString();
    }

    /**
     * @return the row of a scenario with the highest RPS and no errors (any row when all had errors), or null.
     */
    static Row best(final Scenario scenario, final List<Row> rows)
    {
        Row best = null;
        for (final Row row : rows)
        {
            if (!row.median().scenario().name().equals(scenario.name()))
            {
                continue;
            }
            final boolean cleaner = best != null && row.median().errors() == 0 && best.median().errors() > 0;
            final boolean faster = best != null && (row.median().errors() == 0) == (best.median().errors() == 0) &&
                row.median().requestsPerSec() > best.median().requestsPerSec();
            if (best == null || cleaner || faster)
            {
                best = row;
            }
        }
        return best;
    }

    private static String chart(
        final List<Scenario> scenarios,
        final List<Map<String, String>> combinations,
        final List<Row> rows,
        final Instant startedAt)
    {
        final List<String> series = new ArrayList<>();
        combinations.forEach(combination -> series.add(label(combination)));
        final List<String> groups = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        for (final Scenario scenario : scenarios)
        {
            groups.add(scenario.name());
            notes.add(scenario.connections() + " × " + ScenarioFile.formatSize(scenario.messageBytes()));
        }
        final double[][] rps = new double[scenarios.size()][series.size()];
        final double[][] p99 = new double[scenarios.size()][series.size()];
        final double[][] cpu = new double[scenarios.size()][series.size()];
        final String[][] rpsLabels = new String[scenarios.size()][series.size()];
        final String[][] p99Labels = new String[scenarios.size()][series.size()];
        final String[][] cpuLabels = new String[scenarios.size()][series.size()];
        for (int s = 0; s < scenarios.size(); s++)
        {
            for (int c = 0; c < series.size(); c++)
            {
                Measurement cell = null;
                for (final Row row : rows)
                {
                    if (row.settings().equals(combinations.get(c)) &&
                        row.median().scenario().name().equals(scenarios.get(s).name()))
                    {
                        cell = row.median();
                    }
                }
                rps[s][c] = cell == null ? Double.NaN : cell.requestsPerSec();
                p99[s][c] = cell == null || cell.p99Ns() == 0 ? Double.NaN : cell.p99Ns();
                cpu[s][c] = cell == null ? Double.NaN : cell.cpuUsPerRoundTrip();
                rpsLabels[s][c] = cell == null ? "" : Units.rps(cell.requestsPerSec());
                p99Labels[s][c] = cell == null ? "" : Units.latency(cell.p99Ns());
                cpuLabels[s][c] = cell == null ? "" : Units.cpuPerRoundTrip(cell.cpuUsPerRoundTrip());
            }
        }
        return new SvgBars("tcp-proxy bench sweep", RunInfo.current().caption(startedAt) +
            " · units: decimal SI (k = 10^3, μs = 10^-6 s)", series, groups, notes)
            .panel("Requests per second (higher is better)", "requests/s", false, rps, rpsLabels, SvgBars::decimal)
            .panel("p99 latency (lower is better, log scale)", "p99", true, p99, p99Labels,
                ns -> Units.latency((long)ns))
            .panel("CPU per round trip, whole process (lower is better)", "μs CPU / round trip", false, cpu, cpuLabels,
                SvgBars::decimal)
            .render();
    }
}
