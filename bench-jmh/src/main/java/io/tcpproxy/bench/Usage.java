package io.tcpproxy.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The usage text of every command of the bench jar, one block per command, options sorted by name, so that
 * {@code tcp-proxy COMMAND --help}, {@code tcp-proxy help COMMAND} and {@code tcp-proxy help} print the same words.
 */
final class Usage
{
    private static final Map<String, String> COMMANDS = new LinkedHashMap<>();

    static
    {
        COMMANDS.put("demo", String.join("\n",
            "usage: tcp-proxy demo [options]",
            "start the echo server and the proxy, drive a light load, then keep both up until Ctrl+C",
            "",
            "  --connections N     concurrent connections (default 10)",
            "  --duration-secs S   length of the load (default 5)",
            "  --home DIR          the repository or installation (default $TCP_PROXY_HOME or .)",
            "  --size SIZE         message size (default 1KiB)",
            "  --threads N         selector threads of the load generator",
            "  --workers N         the proxy's workers (default: its own default)",
            ""));
        COMMANDS.put("bench", String.join("\n",
            "usage: tcp-proxy bench [options]",
            "       tcp-proxy bench sweep --set KEY=V1,V2 ... (see 'tcp-proxy help bench sweep')",
            "start the echo server and the proxy, run the scenario matrix against proxy, direct and others;",
            "reports CPU per round trip of every target it started (from /proc), writes results.md/.json/.svg",
            "",
            "  --against NAME=HOST:PORT  also measure a running echo endpoint (repeatable)",
            "  --bulk                after the matrix, the cases of 'bulk' (upload and download, 1 and 4",
            "                        connections) against the same targets; one report with both tables",
            "  --bulk-size SIZE      bytes per connection of --bulk (default 1GiB; --quick: 64MiB)",
            "  --duration-secs S     measured seconds per scenario",
            "  --home DIR            the repository or installation (default $TCP_PROXY_HOME or .)",
            "  --out DIR             where reports and logs go (default bench-results/TIMESTAMP)",
            "  --quick               1 s per scenario, short warm-up",
            "  --rate R              open loop: R requests/s in total, latency from the intended send time",
            "  --runs N              repeat the matrix N times, report medians (default 1)",
            "  --scenario NAME       run only this scenario (repeatable)",
            "  --scenarios FILE      scenario file (default bench-jmh/scenarios.toml)",
            "  --threads N           selector threads of the load generator (default " +
                BenchOptions.defaultSelectorThreads() + ")",
            "  --timeout-ms MS       a reply later than this counts as a timeout",
            "  --upstreams N         N echo servers behind the proxy, HAProxy and nginx, round robin over them",
            "                        (balance = \"round_robin\", balance roundrobin, nginx's default); direct goes",
            "                        to the first; the matrix only, not --bulk (default 1)",
            "  --with-haproxy        also start and measure HAProxy",
            "  --with-nginx          also start and measure nginx (stream module)",
            "  --workers N           the proxy's workers, HAProxy's threads, nginx's processes (default: cores)",
            "",
            "Ctrl+C or SIGTERM: prints \"interrupted\", writes what was measured so far, exits 130 or 143.",
            ""));
        COMMANDS.put("bench sweep", String.join("\n",
            "usage: tcp-proxy bench sweep --set KEY=V1,V2 ... [options]",
            "run the scenarios against one proxy per combination of settings, all in front of the same echo server;",
            "prints a table (RPS, p99, CPU per round trip) and the proxy.toml lines of the best combination per",
            "scenario; writes sweep.md, sweep.json and sweep.svg",
            "",
            "  --home DIR            the repository or installation (default $TCP_PROXY_HOME or .)",
            "  --out DIR             where reports and logs go (default bench-results/sweep-TIMESTAMP)",
            "  --quick               1 s per scenario, short warm-up",
            "  --scenarios A,B       scenario names to run (default heavy-load,stress-test, else all)",
            "  --set KEY=V1,V2       a proxy.toml key and its values to try (repeatable), e.g. workers=1,2",
            "                        accept_mode=reuse_port,acceptor busy_poll_us=0,50",
            "  --threads N           selector threads of the load generator",
            ""));
        COMMANDS.put("loadgen", String.join("\n",
            "usage: tcp-proxy loadgen --target NAME=HOST:PORT ... [options]",
            "run the load generator against running echo endpoints (starts nothing); fails (exit 1) when a",
            "target cannot be reached",
            "",
            "  --connections N       one ad-hoc scenario with N connections (with --size)",
            "  --duration-secs S     measured seconds per scenario",
            "  --out DIR             write results.md, results.json and results.svg there",
            "  --quick               1 s per scenario, short warm-up",
            "  --rate R              open loop: R requests/s in total, latency from the intended send time",
            "  --runs N              repeat the matrix N times, report medians (default 1)",
            "  --scenario NAME       run only this scenario (repeatable)",
            "  --scenarios FILE      scenario file (default: the built-in matrix)",
            "  --size SIZE           message size of the ad-hoc scenario: bytes, or 64B, 1KiB, 64KiB",
            "  --target NAME=HOST:PORT  an echo endpoint to measure (repeatable, at least one)",
            "  --threads N           selector threads of the load generator (default " +
                BenchOptions.defaultSelectorThreads() + ")",
            "  --timeout-ms MS       a reply later than this counts as a timeout",
            "",
            "Ctrl+C or SIGTERM: prints \"interrupted\", writes what was measured so far (with --out), exits 130 or 143.",
            ""));
        COMMANDS.put("bulk", String.join("\n",
            "usage: tcp-proxy bulk [options]",
            "start a bulk server and the proxy, measure one-way bulk throughput (upload and download, 1 and 4",
            "connections) through proxy, direct and optionally haproxy/nginx; median of --runs; CPU per GiB of",
            "every target it started; writes bulk.md, bulk.json and bulk.svg",
            "",
            "  --bytes SIZE          bytes per connection (default 1GiB; --quick: 256MiB)",
            "  --connections 1,4     connection counts",
            "  --direction D         up, down or both (default both)",
            "  --home DIR            the repository or installation (default $TCP_PROXY_HOME or .)",
            "  --out DIR             where reports and logs go (default bench-results/TIMESTAMP)",
            "  --quick               smaller transfers, shorter warm-up",
            "  --runs N              runs per case (default 3)",
            "  --server-threads N    threads of the bulk server (default 1)",
            "  --timeout-secs S      per transfer (default 300)",
            "  --warmup-bytes SIZE   warm-up per target and direction",
            "  --with-haproxy        also start and measure HAProxy",
            "  --with-nginx          also start and measure nginx (stream module)",
            "  --workers N           the proxy's workers (default: cores)",
            "",
            "SIZE units are binary (1GiB = 2^30 bytes); throughput is decimal (1 MB/s = 10^6 bytes/s).",
            ""));
        COMMANDS.put("soak", String.join("\n",
            "usage: tcp-proxy soak [options]",
            "start an echo server and the proxy (or use a running one), run mixed load (random sizes, churn,",
            "long-lived connections), sample the proxy's RSS and fds (/proc) and the totals of /metrics, and fail",
            "(exit 1) on growth or when the proxy's byte counters differ from what the clients sent",
            "",
            "  --home DIR            the repository or installation (default $TCP_PROXY_HOME or .)",
            "  --minutes N           how long (default 10; fractions allowed, e.g. 0.1)",
            "  --out DIR             where logs go (default: a temporary directory)",
            "  --workers N           the proxy's workers (default: its own default)",
            ""));
        COMMANDS.put("idle-check", String.join("\n",
            "usage: tcp-proxy idle-check --target HOST:PORT [options]",
            "open N connections to a running echo endpoint (one message each), hold them idle until",
            "--release-file exists or --hold-secs ends, then echo once more on each and close (starts nothing);",
            "bench-jmh/check-idle-and-gc.sh runs it against the proxy and measures the proxy's heap",
            "",
            "  --connections N       (default 10000)",
            "  --hold-secs S         (default 600)",
            "  --in-flight N         connects in flight (default 200)",
            "  --message-bytes B     (default 32)",
            "  --release-file PATH   end the hold when this file exists",
            "  --target HOST:PORT    the echo endpoint",
            "  --timeout-secs S      (default 120)",
            ""));
    }

    private Usage()
    {
    }

    /**
     * @return the overview: every command with its first line, and how to get more.
     */
    static String overview()
    {
        final StringBuilder out = new StringBuilder("usage: tcp-proxy <command> [options]\n\n");
        for (final Map.Entry<String, String> command : COMMANDS.entrySet())
        {
            final String summary = command.getValue().split("\n")[command.getKey().equals("bench") ? 2 : 1];
            out.append(String.format(Locale.ROOT, "  %-12s %s\n", command.getKey(), summary));
        }
        return out.append("\n'tcp-proxy COMMAND --help' or 'tcp-proxy help COMMAND' shows a command's options.\n")
            .append("JMH microbenchmarks: java -cp bench-jmh/target/tcp-proxy-bench.jar org.openjdk.jmh.Main -prof gc\n")
            .toString();
    }

    /**
     * @param words the command, e.g. {@code bench} or {@code bench sweep}.
     * @return its usage, or null for an unknown command.
     */
    static String of(final List<String> words)
    {
        return COMMANDS.get(String.join(" ", words));
    }

    /**
     * @param args a command line.
     * @return true when it asks for help: {@code --help} or {@code -h} anywhere after the command.
     */
    static boolean asksForHelp(final String[] args)
    {
        for (int i = 1; i < args.length; i++)
        {
            if ("--help".equals(args[i]) || "-h".equals(args[i]))
            {
                return true;
            }
        }
        return false;
    }
}
