package io.tcpproxy.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The per-client figures ({@code tcp_proxy_client_*{client}}, and {@code clients}/{@code other_clients} in JSON),
 * kept so that every series exported as a counter is monotonic for its whole life (issue 11, failure 5; the
 * operator's view is in {@code docs/metrics-clients.md}):
 *
 * <ul>
 *   <li>A client IP gets series of its own ("is exported") when it first connects while fewer than K clients are
 *       exported, or when a snapshot finds it among the K clients with the most bytes. Its series start at 0 at
 *       that moment and count only what happens afterwards.</li>
 *   <li>{@code client="other"} counts everything that happened while the client it belongs to was not exported.
 *       Nothing ever moves between {@code other} and a client series, so neither goes down. (The active-connections
 *       series are gauges: a client's open connections move from {@code other} to its own gauge when it is
 *       exported.)</li>
 *   <li>An exported client stays exported while it is in the top K, has connections open, or was active within
 *       the retention period (15 minutes by default: many scrape intervals, longer than Prometheus' 5-minute
 *       staleness window), so no series disappears while a scraper could still be rating it. Then its series
 *       are retired: they stop being exported, and their counts are not added to {@code other} (that would be a
 *       jump in {@code other}'s rate). Should the client come back into the top K, its series start again at 0.</li>
 *   <li>Bounds: at most 4 x K clients exported at once (a client that ranks into the top K while the bound is
 *       reached stays in {@code other} until a series retires), and at most max(1024, 16 x K) clients tracked for
 *       ranking (idle unexported ones are dropped first; their counts are already in {@code other}).</li>
 * </ul>
 * So the sum over all client series equals the proxy's totals until the first retirement, and is below them by
 * what retired series had counted afterwards. Owned by the collector thread.
 */
final class ClientTable
{
    static final String OTHER = "other";

    private final MetricsRegistry registry;
    private final int topK;
    private final int maxExported;
    private final int maxTracked;
    private final long retentionNs;
    private final Map<String, Client> byIp = new HashMap<>();
    private final List<Client> ranked = new ArrayList<>();
    private int exportedCount;
    private final MetricCell otherActive;
    private final MetricCell otherTotal;
    private final MetricCell otherUp;
    private final MetricCell otherDown;

    ClientTable(final MetricsRegistry registry, final int topK, final long retentionNs)
    {
        this.registry = registry;
        this.topK = topK;
        this.maxExported = topK * 4;
        this.maxTracked = Math.max(1024, topK * 16);
        this.retentionNs = retentionNs;
        if (topK > 0)
        {
            otherActive = registry.cell(Families.CLIENT_CONNECTIONS_ACTIVE, OTHER);
            otherTotal = registry.cell(Families.CLIENT_CONNECTIONS_TOTAL, OTHER);
            otherUp = registry.cell(Families.CLIENT_BYTES_UPSTREAM, OTHER);
            otherDown = registry.cell(Families.CLIENT_BYTES_DOWNSTREAM, OTHER);
        }
        else
        {
            otherActive = null;
            otherTotal = null;
            otherUp = null;
            otherDown = null;
        }
    }

    /**
     * @param ip    the client's IP.
     * @param nowNs collector time.
     * @return the client's entry, or null when the table is off (K = 0).
     */
    Client onOpened(final String ip, final long nowNs)
    {
        if (topK <= 0)
        {
            return null;
        }
        Client client = byIp.get(ip);
        if (null == client)
        {
            dropIdleUnexportedIfFull();
            client = new Client(ip);
            byIp.put(ip, client);
            if (exportedCount < topK)
            {
                export(client);
            }
        }
        client.active++;
        client.lastActivityNs = nowNs;
        if (client.isExported())
        {
            client.activeCell.increment();
            client.totalCell.increment();
        }
        else
        {
            otherActive.increment();
            otherTotal.increment();
        }
        return client;
    }

    void onBytes(final Client client, final long up, final long down, final long nowNs)
    {
        client.rankBytes += up + down;
        client.lastActivityNs = nowNs;
        if (client.isExported())
        {
            client.upCell.add(up);
            client.downCell.add(down);
        }
        else
        {
            otherUp.add(up);
            otherDown.add(down);
        }
    }

    void onClosed(final Client client, final long nowNs)
    {
        client.active--;
        client.lastActivityNs = nowNs;
        if (client.isExported())
        {
            client.activeCell.add(-1);
        }
        else
        {
            otherActive.add(-1);
        }
    }

    /**
     * Export the current top K that are not yet, retire series past their retention.
     *
     * @param nowNs collector time.
     */
    void beforeSnapshot(final long nowNs)
    {
        if (topK <= 0 || byIp.isEmpty())
        {
            return;
        }
        ranked.clear();
        ranked.addAll(byIp.values());
        ranked.sort((a, b) -> Long.compare(b.rankBytes, a.rankBytes));
        for (int i = 0, n = ranked.size(); i < n; i++)
        {
            final Client client = ranked.get(i);
            final boolean inTopK = i < topK;
            if (inTopK && !client.isExported() && exportedCount < maxExported)
            {
                export(client);
            }
            else if (!inTopK && client.isExported() && client.active == 0 &&
                nowNs - client.lastActivityNs >= retentionNs)
            {
                retire(client);
            }
        }
        ranked.clear();
    }

    private void export(final Client client)
    {
        final String ip = client.ip;
        client.activeCell = registry.cell(Families.CLIENT_CONNECTIONS_ACTIVE, ip);
        client.totalCell = registry.cell(Families.CLIENT_CONNECTIONS_TOTAL, ip);
        client.upCell = registry.cell(Families.CLIENT_BYTES_UPSTREAM, ip);
        client.downCell = registry.cell(Families.CLIENT_BYTES_DOWNSTREAM, ip);
        // Its open connections are now its own (a gauge may move); its counts so far stay in "other".
        otherActive.add(-client.active);
        client.activeCell.set(client.active);
        exportedCount++;
    }

    private void retire(final Client client)
    {
        final String ip = client.ip;
        registry.remove(Families.CLIENT_CONNECTIONS_ACTIVE, ip);
        registry.remove(Families.CLIENT_CONNECTIONS_TOTAL, ip);
        registry.remove(Families.CLIENT_BYTES_UPSTREAM, ip);
        registry.remove(Families.CLIENT_BYTES_DOWNSTREAM, ip);
        client.activeCell = null;
        client.totalCell = null;
        client.upCell = null;
        client.downCell = null;
        exportedCount--;
    }

    private void dropIdleUnexportedIfFull()
    {
        if (byIp.size() < maxTracked)
        {
            return;
        }
        final Iterator<Client> it = byIp.values().iterator();
        int toDrop = byIp.size() - maxTracked / 2;
        while (it.hasNext() && toDrop > 0)
        {
            final Client client = it.next();
            if (client.active == 0 && !client.isExported())
            {
                it.remove();
                toDrop--;
            }
        }
    }

    /** @return clients exported now (for tests). */
    int exportedCount()
    {
        return exportedCount;
    }

    /** One client IP. */
    static final class Client
    {
        final String ip;
        long active;
        long rankBytes;
        long lastActivityNs;
        MetricCell activeCell;
        MetricCell totalCell;
        MetricCell upCell;
        MetricCell downCell;

        Client(final String ip)
        {
            this.ip = ip;
        }

        boolean isExported()
        {
            return null != totalCell;
        }
    }
}
