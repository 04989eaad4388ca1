package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.TrafficStats;
import io.tcpproxy.testsupport.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonFormatTest
{
    private static String render(final MetricsSnapshot snapshot)
    {
        final StringBuilder out = new StringBuilder();
        JsonFormat.render(snapshot, out);
        return out.toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStartWithTheSeedsKeysThenCarryEverything()
    {
        final String text = render(Snapshots.sample(false, true));
        final Map<String, Object> json = (Map<String, Object>)Json.parse(text);

        assertEquals(List.of("active_connections", "total_connections", "bytes_upstream", "bytes_downstream"),
            List.copyOf(json.keySet()).subList(0, 4));
        assertEquals(3L, json.get("active_connections"));
        assertEquals(42L, json.get("total_connections"));
        assertEquals(1_048_576L, json.get("bytes_upstream"));
        assertEquals(2_097_152L, json.get("bytes_downstream"));
        assertEquals(5L, json.get("rejected_connections"));
        assertEquals(Map.of("max_connections", 2L, "denied", 3L), json.get("rejected_by_reason"));
        assertEquals(7L, json.get("ring_full"));
        assertEquals(11L, json.get("accept_pauses"));
        assertEquals(Boolean.TRUE, json.get("draining"));
        assertEquals(12.345, json.get("uptime_seconds"));
        assertEquals(1_700_000_000_123L, json.get("timestamp_ms"));

        final Map<String, Object> closes = (Map<String, Object>)json.get("closes_by_reason");
        assertEquals(CloseReason.values().length, closes.size());
        for (final CloseReason reason : CloseReason.values())
        {
            assertEquals(100L + reason.ordinal(), closes.get(reason.label()), reason.label());
        }
        final Map<String, Object> failures = (Map<String, Object>)json.get("connect_failures_by_reason");
        assertEquals(List.of("connect_refused", "connect_timeout", "connect_unresolved", "connect_error"),
            List.copyOf(failures.keySet()));
        assertEquals(200L + CloseReason.CONNECT_TIMEOUT.ordinal(), failures.get("connect_timeout"));

        // one row per server and pool, the pool a field of the row (issue 15)
        final List<Object> upstreams = (List<Object>)json.get("upstreams");
        assertEquals(3, upstreams.size());
        final Map<String, Object> refusing = (Map<String, Object>)upstreams.get(1);
        assertEquals(List.of("upstream", "pool", "up", "draining"), List.copyOf(refusing.keySet()).subList(0, 4));
        assertEquals(List.of("10.0.0.2:5432", "db", false, 0L),
            List.of(refusing.get("upstream"), refusing.get("pool"), refusing.get("up"),
                refusing.get("total_connections")));
        final Map<String, Object> spare = (Map<String, Object>)upstreams.get(2);
        assertEquals(List.of("10.0.0.1:5432", "spare", true),
            List.of(spare.get("upstream"), spare.get("pool"), spare.get("up")));
        assertEquals(9L, ((Map<String, Object>)upstreams.get(0)).get("total_connections"));
        assertEquals(3L, ((Map<String, Object>)json.get("upstream_connect_failures"))
            .get("10.0.0.2:5432,db,connect_refused"));

        final List<Object> workers = (List<Object>)json.get("workers");
        assertEquals(2, workers.size());
        assertEquals(Map.of("worker", "1", "active_connections", 1L, "total_connections", 12L,
            "bytes_upstream", 48_576L, "bytes_downstream", 97_152L), workers.get(1));

        final List<Object> clients = (List<Object>)json.get("clients");
        assertEquals(3, clients.size(), "the client table is in JSON even when not exported as labels");
        assertEquals(Map.of("client", "10.0.0.7", "active_connections", 2L, "total_connections", 9L,
            "bytes_upstream", 7_000_000_000L, "bytes_downstream", 1_234L), clients.get(0));
        assertEquals(Map.of("active_connections", 0L, "total_connections", 28L, "bytes_upstream", 13L,
            "bytes_downstream", 17L), json.get("other_clients"));

        final Map<String, Object> histograms = (Map<String, Object>)json.get("histograms");
        final Map<String, Object> duration = (Map<String, Object>)histograms.get("connection_duration_seconds");
        assertEquals(39L, duration.get("count"));
        assertEquals(123.25, duration.get("sum"));
        final List<Object> buckets = (List<Object>)duration.get("buckets");
        assertEquals(Snapshots.DURATION_BOUNDS_SECS.length, buckets.size());
        assertEquals(Map.of("le", 0.001, "count", 1L), buckets.get(0));
        assertEquals(Map.of("le", 300L, "count", 38L), buckets.get(buckets.size() - 1));
        final Map<String, Object> connect = (Map<String, Object>)histograms.get("upstream_connect_seconds");
        assertEquals(41L, connect.get("count"));
        assertEquals(0.0425, connect.get("sum"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldEscapeStrings()
    {
        final String nasty = "q\"b\\n\nr\rt\tc\u0001z\u2028é";
        final String text = render(Snapshots.withClients(false, false, List.of(new TrafficStats(nasty, 1, 2, 3, 4))));

        assertTrue(text.contains("\\u0001") && text.contains("\\u2028"), text);
        final Map<String, Object> json = (Map<String, Object>)Json.parse(text);
        final Map<String, Object> client = (Map<String, Object>)((List<Object>)json.get("clients")).get(0);
        assertEquals(nasty, client.get("client"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldRenderAnEmptySnapshot()
    {
        final Map<String, Object> json = (Map<String, Object>)Json.parse(render(Snapshots.empty()));

        assertEquals(0L, json.get("active_connections"));
        assertEquals(List.of(), json.get("workers"));
        assertEquals(List.of(), json.get("clients"));
        assertEquals(Boolean.FALSE, json.get("draining"));
    }
}
