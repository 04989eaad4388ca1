package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.metrics.UpstreamFamilies;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextFormatTest
{
    /** The families of {@link io.tcpproxy.metrics.ReloadFamilies} (config reloads and admin requests). */
    private static final int RELOAD_FAMILIES = 4;

    private static String render(final io.tcpproxy.metrics.MetricsSnapshot snapshot)
    {
        final StringBuilder out = new StringBuilder();
        PrometheusTextFormat.render(snapshot, out);
        return out.toString();
    }

    @Test
    void shouldExposeEveryFigureOfTheSnapshot()
    {
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(render(Snapshots.sample(
            true, false)));

        assertEquals(3, value(families, "tcp_proxy_connections_active"));
        assertEquals(42, value(families, "tcp_proxy_connections_total"));
        assertEquals(1_048_576, value(families, "tcp_proxy_bytes_upstream_total"));
        assertEquals(2_097_152, value(families, "tcp_proxy_bytes_downstream_total"));
        final ExpositionParser.Family rejected = families.get("tcp_proxy_connections_rejected_total");
        assertEquals(2, rejected.value(rejected.name, "reason", "max_connections"));
        assertEquals(3, rejected.value(rejected.name, "reason", "denied"));
        assertEquals(2, rejected.samples.size(), "one series per reason counted");
        assertFalse(families.containsKey("tcp_proxy_connections_rejected_all_total"), "the JSON total stays in JSON");
        assertEquals(7, value(families, "tcp_proxy_metrics_ring_full_total"));
        assertEquals(11, value(families, "tcp_proxy_accept_pauses_total"));
        assertEquals(0, value(families, "tcp_proxy_draining"));
        assertEquals(12.345, value(families, "tcp_proxy_uptime_seconds"));

        final ExpositionParser.Family closes = families.get("tcp_proxy_connections_closed_total");
        assertEquals(CloseReason.values().length, closes.samples.size());
        for (final CloseReason reason : CloseReason.values())
        {
            assertEquals(100 + reason.ordinal(), closes.value(closes.name, "reason", reason.label()));
        }

        // per server and pool (issues 13, 15); the clients' failures stay in the JSON, not under this name
        final ExpositionParser.Family failures = families.get("tcp_proxy_upstream_connect_failures_total");
        assertEquals(9, failures.samples.size(), "3 servers x 3 reasons, no series without upstream");
        assertEquals(3, failures.value(failures.name, "upstream", "10.0.0.2:5432", "pool", "db", "reason",
            "connect_refused"));
        assertEquals(0, failures.value(failures.name, "upstream", "10.0.0.1:5432", "pool", "spare", "reason",
            "connect_refused"));
        assertFalse(families.containsKey("tcp_proxy_connects_failed_total"), "JSON only");
        final ExpositionParser.Family up = families.get("tcp_proxy_upstream_up");
        assertEquals(1, up.value(up.name, "upstream", "10.0.0.1:5432", "pool", "spare"));
        assertEquals(0, up.value(up.name, "upstream", "10.0.0.2:5432", "pool", "db"));

        final ExpositionParser.Family workerBytes = families.get("tcp_proxy_worker_bytes_upstream_total");
        assertEquals(1_000_000, workerBytes.value(workerBytes.name, "worker", "0"));
        assertEquals(48_576, workerBytes.value(workerBytes.name, "worker", "1"));
        assertEquals(2, families.get("tcp_proxy_worker_connections_active").samples.size());
        assertEquals("counter", families.get("tcp_proxy_worker_connections_total").type);

        final ExpositionParser.Family clientUp = families.get("tcp_proxy_client_bytes_upstream_total");
        assertEquals(7_000_000_000L, clientUp.value(clientUp.name, "client", "10.0.0.7"));
        assertEquals(10, clientUp.value(clientUp.name, "client", "2001:db8::1"));
        assertEquals(13, clientUp.value(clientUp.name, "client", "other"));
        final ExpositionParser.Family clientDown = families.get("tcp_proxy_client_bytes_downstream_total");
        assertEquals(65_536, clientDown.value(clientDown.name, "client", "192.168.1.20"));
        assertEquals(17, clientDown.value(clientDown.name, "client", "other"));
        final ExpositionParser.Family clientTotal = families.get("tcp_proxy_client_connections_total");
        assertEquals(28, clientTotal.value(clientTotal.name, "client", "other"));
        assertEquals(4, clientTotal.samples.size());
    }

    @Test
    void shouldExposeHistogramsCumulativelyWithInfEqualToCount()
    {
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(render(Snapshots.sample(
            false, false)));

        final ExpositionParser.Family duration = families.get("tcp_proxy_connection_duration_seconds");
        assertEquals("histogram", duration.type);
        final String bucket = "tcp_proxy_connection_duration_seconds_bucket";
        assertEquals(1, duration.value(bucket, "le", "0.001"));
        assertEquals(10, duration.value(bucket, "le", "1"));
        assertEquals(38, duration.value(bucket, "le", "300"));
        assertEquals(39, duration.value(bucket, "le", "+Inf"));
        assertEquals(39, duration.value("tcp_proxy_connection_duration_seconds_count"));
        assertEquals(123.25, duration.value("tcp_proxy_connection_duration_seconds_sum"));
        assertEquals(Snapshots.DURATION_BOUNDS_SECS.length + 3, duration.samples.size());

        final ExpositionParser.Family connect = families.get("tcp_proxy_upstream_connect_seconds");
        assertEquals(5, connect.value("tcp_proxy_upstream_connect_seconds_bucket", "le", "0.0005"));
        assertEquals(0, connect.value("tcp_proxy_upstream_connect_seconds_bucket", "le", "0.0001"));
        assertEquals(41, connect.value("tcp_proxy_upstream_connect_seconds_bucket", "le", "2.5"));
        assertEquals(0.0425, connect.value("tcp_proxy_upstream_connect_seconds_sum"));
    }

    @Test
    void shouldLeaveOutClientSeriesUnlessExported()
    {
        final String text = render(Snapshots.sample(false, true));
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(text);

        assertFalse(text.contains("client=") || text.contains("tcp_proxy_client_"), text);
        // 19 + internal_errors + reload + upstream + route connections
        assertEquals(20 + RELOAD_FAMILIES + UpstreamFamilies.ALL.size() + 1, families.size(),
            families.keySet().toString());
        assertEquals(1, value(families, "tcp_proxy_draining"));
        assertEquals(16_384, value(families, "tcp_proxy_relay_buffer_bytes"));
        assertEquals(134_217_728, value(families, "tcp_proxy_relay_buffer_limit_bytes"));
    }

    @Test
    void shouldWriteHelpAndTypeOnceForEveryFamily()
    {
        final String text = render(Snapshots.sample(true, false));
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(text);

        // 23 + internal_errors + reload + upstream + route connections
        assertEquals(24 + RELOAD_FAMILIES + UpstreamFamilies.ALL.size() + 1, families.size(),
            families.keySet().toString());
        for (final String name : families.keySet())
        {
            assertTrue(name.startsWith("tcp_proxy_"), name);
            assertEquals(1, count(text, "# HELP " + name + " "), name);
            assertEquals(1, count(text, "# TYPE " + name + " "), name);
        }
    }

    @Test
    void shouldEscapeLabelValues()
    {
        final String nasty = "a\\b\"c\nd}e,f=g";
        final String text = render(Snapshots.withClients(true, false, List.of(new TrafficStats(nasty, 1, 2, 3, 4))));

        assertTrue(text.contains("client=\"a\\\\b\\\"c\\nd}e,f=g\""), text);
        final ExpositionParser.Family family =
            ExpositionParser.parse(text).get("tcp_proxy_client_connections_total");
        assertEquals(2, family.value(family.name, "client", nasty));
    }

    @Test
    void shouldRenderAnEmptySnapshot()
    {
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(render(Snapshots.empty()));

        final ExpositionParser.Family duration = families.get("tcp_proxy_connection_duration_seconds");
        assertEquals(0, duration.value("tcp_proxy_connection_duration_seconds_bucket", "le", "+Inf"));
        assertEquals(0, duration.value("tcp_proxy_connection_duration_seconds_count"));
        assertEquals(0, value(families, "tcp_proxy_uptime_seconds"));
    }

    @Test
    void strictParserShouldRejectBrokenExpositions()
    {
        assertThrows(AssertionError.class, () -> ExpositionParser.parse("x_total 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionParser.parse("# HELP x h\n# TYPE x counter\nx 1\n"));
        assertThrows(AssertionError.class,
            () -> ExpositionParser.parse("# HELP x_total h\n# TYPE x_total counter\n# TYPE x_total counter\n"));
        assertThrows(AssertionError.class,
            () -> ExpositionParser.parse("# HELP g h\n# TYPE g gauge\ng{a=\"\\t\"} 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionParser.parse(
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
        assertThrows(AssertionError.class, () -> ExpositionParser.parse(
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"));
        assertThrows(AssertionError.class, () -> ExpositionParser.parse(
            "# HELP h h\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"));
        assertThrows(AssertionError.class,
            () -> ExpositionParser.parse("# HELP g h\n# TYPE g gauge\ng 1\ng 2\n"));
        assertThrows(AssertionError.class,
            () -> ExpositionParser.parse("# HELP g h\n# TYPE g gauge\ng 1"));
    }

    @Test
    void shouldFormatDoublesThePrometheusWay()
    {
        assertEquals("+Inf", format(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", format(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", format(Double.NaN));
        assertEquals("0", format(0.0));
        assertEquals("300", format(300.0));
        assertEquals("-2", format(-2.0));
        assertEquals("0.1", format(0.1));
        assertEquals("2.5", format(2.5));
        assertEquals("0.0001", format(0.0001));
        assertEquals("1e-05", format(0.00001));
        assertEquals("1.5e-07", format(1.5e-7));
        assertEquals("12.345", format(12.345));
        assertEquals("1e+21", format(1e21));
        assertEquals("1.7976931348623157e+308", format(Double.MAX_VALUE));
        assertEquals("4.9e-324", format(Double.MIN_VALUE));
        for (final double value : new double[]{0.1 + 0.2, 1 / 3.0, 123456.789e10, 1e15 + 0.5, 5e-5, 7.0e20})
        {
            assertEquals(value, Double.parseDouble(format(value)), format(value));
        }
    }

    private static String format(final double value)
    {
        final StringBuilder out = new StringBuilder();
        Doubles.append(out, value);
        return out.toString();
    }

    private static double value(final Map<String, ExpositionParser.Family> families, final String name)
    {
        final ExpositionParser.Family family = families.get(name);
        assertTrue(null != family, "missing family " + name);
        assertEquals(1, family.samples.size(), name);
        return family.samples.get(0).value();
    }

    private static int count(final String text, final String needle)
    {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1))
        {
            count++;
        }
        return count;
    }
}
