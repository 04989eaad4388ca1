package io.tcpproxy.http;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.Proxy;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The files operators deploy with, under {@code deploy/}: the Grafana dashboard only queries metrics a running
 * proxy really exports; the alert rules pass {@code promtool check rules}; the systemd unit passes
 * {@code systemd-analyze verify} and keeps its hardening.
 */
class DeployFilesTest
{
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern METRIC_NAME = Pattern.compile("tcp_proxy_[a-zA-Z0-9_]+");
    /** Names the alert rules use ahead of the features that export them (upstream pools, hot reload). */
    private static final Set<String> NOT_YET_EXPORTED = Set.of("tcp_proxy_upstream_up", "tcp_proxy_config_reloads_total");
    private static final long TOOL_TIMEOUT_SECS = 120;

    @Test
    void grafanaDashboardShouldQueryOnlyMetricsThatExist() throws Exception
    {
        final Map<String, Object> dashboard = asMap(Json.parse(
            Files.readString(DEPLOY.resolve("grafana/tcp-proxy.json"), StandardCharsets.UTF_8)));
        final List<Map<String, Object>> variables = asList(asMap(dashboard.get("templating")).get("list"));
        assertTrue(variables.stream().anyMatch(v -> "datasource".equals(v.get("type")) &&
            "prometheus".equals(v.get("query"))), "the data source is a variable");

        final List<String> queries = new ArrayList<>();
        collectQueries(dashboard, queries);
        assertTrue(queries.size() >= 20, "queries found: " + queries.size());
        final Set<String> used = new TreeSet<>();
        for (final String query : queries)
        {
            final Matcher matcher = METRIC_NAME.matcher(query);
            while (matcher.find())
            {
                used.add(matcher.group());
            }
        }
        for (final Map<String, Object> panel : this.<Map<String, Object>>asList(dashboard.get("panels")))
        {
            if (!"row".equals(panel.get("type")))
            {
                assertEquals("${datasource}", asMap(panel.get("datasource")).get("uid"), "panel " + panel.get("title"));
            }
        }

        final Set<String> exported = realMetricNames();
        final Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard queries metrics /metrics does not export: " + missing);
        assertTrue(used.contains("tcp_proxy_connections_active") && used.contains("tcp_proxy_http_requests_total"));
    }

    @Test
    void alertRulesShouldPassPromtoolAndUseRealNames() throws Exception
    {
        final Path rules = DEPLOY.resolve("prometheus/alerts.yml");
        final String text = Files.readString(rules, StandardCharsets.UTF_8);
        for (final String expected : new String[]{"tcp_proxy_upstream_up", "tcp_proxy_metrics_ring_full_total",
            "tcp_proxy_accept_pauses_total", "tcp_proxy_config_reloads_total{result=\"rejected\"}"})
        {
            assertTrue(text.contains(expected), "alerts.yml uses " + expected);
        }
        final Set<String> missing = new TreeSet<>();
        final Matcher matcher = METRIC_NAME.matcher(text);
        final Set<String> exported = realMetricNames();
        while (matcher.find())
        {
            if (!exported.contains(matcher.group()) && !NOT_YET_EXPORTED.contains(matcher.group()))
            {
                missing.add(matcher.group());
            }
        }
        assertTrue(missing.isEmpty(), "alerts.yml uses metrics that are not exported: " + missing);

        final Path promtool = findOnPath("promtool");
        if (null == promtool)
        {
            if (Boolean.getBoolean("promtool.optional"))
            {
                System.err.println("DeployFilesTest: promtool not on PATH, alerts.yml not checked (-Dpromtool.optional=true)");
                Assumptions.abort("promtool not on PATH and -Dpromtool.optional=true");
            }
            fail("promtool not found on PATH: install the 'prometheus' package or run with -Dpromtool.optional=true");
        }
        final Result good = run(promtool.toString(), "check", "rules", rules.toString());
        assertEquals(0, good.exitCode, good.output);
        assertTrue(good.output.contains("SUCCESS"), good.output);
        // the rules' label logic ({upstream,pool}; a drained server does not alert) against its unit tests
        final Result tested = run(promtool.toString(), "test", "rules",
            DEPLOY.resolve("prometheus/alerts_test.yml").toString());
        assertEquals(0, tested.exitCode, tested.output);

        final Path broken = Files.createTempFile("alerts-broken", ".yml");
        try
        {
            Files.writeString(broken, text.replace("increase(tcp_proxy_accept_pauses_total[5m])",
                "increase(tcp_proxy_accept_pauses_total[5m]"));
            assertTrue(0 != run(promtool.toString(), "check", "rules", broken.toString()).exitCode,
                "promtool must reject a broken expression (the check is real)");
        }
        finally
        {
            Files.deleteIfExists(broken);
        }
    }

    @Test
    void systemdUnitShouldBeHardenedAndVerify() throws Exception
    {
        final Path unit = DEPLOY.resolve("systemd/tcp-proxy.service");
        final String text = Files.readString(unit, StandardCharsets.UTF_8);
        for (final String line : new String[]{"DynamicUser=yes", "NoNewPrivileges=yes", "KillSignal=SIGTERM",
            "ExecReload=/bin/kill -HUP $MAINPID"})
        {
            assertTrue(text.lines().anyMatch(line::equals), "unit has " + line);
        }
        assertTrue(text.lines().anyMatch(l -> l.matches("LimitNOFILE=\\d+")), "unit sets LimitNOFILE");
        final int stopSecs = text.lines().filter(l -> l.startsWith("TimeoutStopSec="))
            .mapToInt(l -> Integer.parseInt(l.substring("TimeoutStopSec=".length()))).findFirst().orElse(-1);
        final int graceSecs = Config.builder().build().gracePeriodSecs();
        assertTrue(stopSecs > graceSecs, "TimeoutStopSec " + stopSecs + " must exceed grace_period_secs " + graceSecs);

        final Path analyze = findOnPath("systemd-analyze");
        if (null == analyze)
        {
            System.err.println("DeployFilesTest SKIPPED systemd-analyze verify: systemd-analyze not on PATH");
            Assumptions.abort("systemd-analyze not on PATH");
        }
        // verify insists that ExecStart exists: point it at this checkout's launcher, keep everything else.
        final Path launcher = Path.of("..", "tcp-proxy").toRealPath();
        final Path dir = Files.createTempDirectory("unit-check");
        final Path copy = dir.resolve("tcp-proxy.service");
        try
        {
            Files.writeString(copy, text.replace("/opt/tcp-proxy/tcp-proxy", launcher.toString()));
            final Result result = run(analyze.toString(), "verify", copy.toString());
            assertEquals(0, result.exitCode, result.output);
            assertTrue(result.output.lines().noneMatch(l -> l.contains("tcp-proxy.service")),
                "systemd-analyze reported problems in the unit:\n" + result.output);

            Files.writeString(copy, text.replace("NoNewPrivileges=yes", "NoNewPrivilegez=yes")
                .replace("/opt/tcp-proxy/tcp-proxy", launcher.toString()));
            assertTrue(run(analyze.toString(), "verify", copy.toString()).output.contains("NoNewPrivilegez"),
                "systemd-analyze must report an unknown key (the check is real)");
        }
        finally
        {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Every family and sample name of a real proxy's /metrics, with client labels on and one connection relayed
     * (so per-client series exist).
     */
    private static Set<String> realMetricNames() throws Exception
    {
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Proxy proxy = Proxy.start(LoopbackConfig.withMetrics(upstream.getLocalPort())
                .workers(1)
                .metricsClientLabels(true)
                .logEvents(LogEvents.OFF)
                .build(), LoopbackConfig.quietConsole()))
        {
            try (Socket client = new Socket())
            {
                client.connect(proxy.localAddress(), 10_000);
                client.setSoTimeout(30_000);
                try (Socket server = upstream.accept())
                {
                    server.setSoTimeout(30_000);
                    final OutputStream out = client.getOutputStream();
                    out.write(new byte[]{1, 2, 3});
                    final InputStream in = server.getInputStream();
                    assertEquals(1, in.read());
                }
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (proxy.metrics() == null || proxy.metrics().connectionDuration() == null ||
                proxy.metrics().connectionDuration().count() < 1)
            {
                assertTrue(System.nanoTime() - deadlineNs < 0, "the connection never showed in the metrics");
                Thread.sleep(20);
            }
            final Map<String, ExpositionParser.Family> families =
                ExpositionParser.parse(TestHttp.get(proxy.metricsAddress(), "/metrics").body());
            final Set<String> names = new TreeSet<>(families.keySet());
            for (final ExpositionParser.Family family : families.values())
            {
                family.samples.forEach(sample -> names.add(sample.name()));
            }
            return names;
        }
    }

    private void collectQueries(final Object node, final List<String> out)
    {
        if (node instanceof Map<?, ?> map)
        {
            for (final Map.Entry<?, ?> entry : map.entrySet())
            {
                if (("expr".equals(entry.getKey()) || "definition".equals(entry.getKey()) ||
                    "query".equals(entry.getKey())) && entry.getValue() instanceof String query)
                {
                    out.add(query);
                }
                else
                {
                    collectQueries(entry.getValue(), out);
                }
            }
        }
        else if (node instanceof List<?> list)
        {
            list.forEach(item -> collectQueries(item, out));
        }
    }

    private record Result(int exitCode, String output)
    {
    }

    private static Result run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        final byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(TOOL_TIMEOUT_SECS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static Path findOnPath(final String tool) throws IOException
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
            {
                return candidate.toRealPath();
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(final Object value)
    {
        return (Map<String, Object>)value;
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> asList(final Object value)
    {
        return (List<T>)value;
    }
}
