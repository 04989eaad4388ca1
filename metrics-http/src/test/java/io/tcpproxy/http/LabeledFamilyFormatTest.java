package io.tcpproxy.http;

import io.tcpproxy.metrics.MetricFamily;
import io.tcpproxy.metrics.MetricsRegistry;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A family declared later (per-upstream, by reason, by result) appears in both formats with no change to them.
 */
class LabeledFamilyFormatTest
{
    static final MetricFamily.JsonRows UPSTREAM_ROWS = new MetricFamily.JsonRows("upstreams", "upstream", null, null);
    static final MetricFamily RELOADS = MetricFamily.counter(
        "tcp_proxy_example_reloads_total", "Example reloads, by result.", "result"); // not ReloadFamilies.RELOADS
    static final MetricFamily UPSTREAM_ACTIVE = MetricFamily.gauge(
        "tcp_proxy_upstream_connections_active", "Connections open now, per upstream server.", "upstream")
        .inJsonRows(UPSTREAM_ROWS, "active_connections");
    static final MetricFamily UPSTREAM_FAILURES = MetricFamily.counter(
        "tcp_proxy_upstream_failures_total", "Failed connects, per upstream server.", "upstream")
        .inJsonRows(UPSTREAM_ROWS, "failures");
    static final MetricFamily CHECK_TIME = MetricFamily.histogram("tcp_proxy_health_check_seconds",
        "Health check round trips, per upstream server.", new double[]{0.01, 0.1, 1}, "upstream");

    @Test
    @SuppressWarnings("unchecked")
    void shouldRenderANewlyDeclaredLabeledFamilyInBothFormats()
    {
        // a registry of its own: the proxy's registry declares the real upstream families under these names
        final MetricsRegistry registry = new MetricsRegistry()
            .declare(RELOADS).declare(UPSTREAM_ACTIVE).declare(UPSTREAM_FAILURES).declare(CHECK_TIME);
        registry.cell(RELOADS, "ok").add(3);
        registry.cell(RELOADS, "rejected").increment();
        registry.cell(UPSTREAM_ACTIVE, "10.0.0.1:80").set(5);
        registry.cell(UPSTREAM_ACTIVE, "10.0.0.2:80").set(2);
        registry.cell(UPSTREAM_FAILURES, "10.0.0.2:80").add(7);
        registry.cell(CHECK_TIME, "10.0.0.1:80").record(50_000_000);
        final MetricsSnapshot snapshot = registry.snapshot(1, 2);

        final StringBuilder text = new StringBuilder();
        PrometheusTextFormat.render(snapshot, text);
        final Map<String, ExpositionParser.Family> families = ExpositionParser.parse(text.toString());
        final ExpositionParser.Family reloads = families.get("tcp_proxy_example_reloads_total");
        assertEquals("counter", reloads.type);
        assertEquals(3, reloads.value(reloads.name, "result", "ok"));
        assertEquals(1, reloads.value(reloads.name, "result", "rejected"));
        final ExpositionParser.Family active = families.get("tcp_proxy_upstream_connections_active");
        assertEquals(5, active.value(active.name, "upstream", "10.0.0.1:80"));
        final ExpositionParser.Family checks = families.get("tcp_proxy_health_check_seconds");
        assertEquals("histogram", checks.type);
        assertEquals(1, checks.samples.stream().filter(s -> s.name().endsWith("_count")).count());

        final StringBuilder json = new StringBuilder();
        JsonFormat.render(snapshot, json);
        final Map<String, Object> parsed = (Map<String, Object>)Json.parse(json.toString());
        assertEquals(Map.of("ok", 3L, "rejected", 1L), parsed.get("example_reloads_total"));
        assertEquals(List.of(
            Map.of("upstream", "10.0.0.1:80", "active_connections", 5L, "failures", 0L),
            Map.of("upstream", "10.0.0.2:80", "active_connections", 2L, "failures", 7L)), parsed.get("upstreams"));
        final Map<String, Object> histograms = (Map<String, Object>)parsed.get("histograms");
        final Map<String, Object> perUpstream = (Map<String, Object>)histograms.get("health_check_seconds");
        assertEquals(1L, ((Map<String, Object>)perUpstream.get("10.0.0.1:80")).get("count"));
    }

    @Test
    void shouldRejectBadDeclarations()
    {
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.counter("tcp_proxy_reloads", "no _total"));
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.gauge("tcp-proxy", "bad name"));
        assertThrows(IllegalArgumentException.class, () -> MetricFamily.gauge("g", "bad label", "le"));
        final MetricsRegistry registry = new MetricsRegistry().declare(RELOADS);
        assertThrows(IllegalStateException.class, () -> registry.declare(RELOADS));
        assertThrows(IllegalArgumentException.class, () -> registry.cell(RELOADS));
        assertThrows(IllegalArgumentException.class, () -> registry.cell(RELOADS, "ok").add(-1));
        registry.cell(RELOADS, "ok").set(5);
        assertThrows(IllegalArgumentException.class, () -> registry.cell(RELOADS, "ok").set(4));
    }
}
