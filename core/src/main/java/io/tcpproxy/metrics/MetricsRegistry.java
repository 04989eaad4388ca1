package io.tcpproxy.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The families the proxy exports and the live cell of each series, owned by one thread (the collector). A family is
 * declared once; counting into it is {@code registry.cell(family, labelValues...).add(n)} (keep the cell when it is
 * hot). {@link #snapshot} freezes every family, in declaration order, for the exporters.
 *
 * <p>Example, a new labeled counter:
 * <pre>{@code
 * static final MetricFamily RELOADS = MetricFamily.counter(
 *     "tcp_proxy_config_reloads_total", "Configuration reloads, by result.", "result");
 * registry.declare(RELOADS);
 * registry.cell(RELOADS, "ok").increment();
 * }</pre>
 * It then appears in the Prometheus text and the JSON ({@code "config_reloads_total": {"ok": 1}}) with no exporter
 * change. Label values must come from a bounded set (reasons, results, configured upstreams, workers, the top-K
 * client table).
 */
public final class MetricsRegistry
{
    private final Map<String, Declared> families = new LinkedHashMap<>();

    /**
     * Declare a family exported in every format.
     *
     * @param family the declaration.
     * @return this.
     */
    public MetricsRegistry declare(final MetricFamily family)
    {
        return declare(family, true);
    }

    /**
     * Declare a family.
     *
     * @param family     the declaration.
     * @param prometheus whether the Prometheus text includes it (JSON always does).
     * @return this.
     */
    public MetricsRegistry declare(final MetricFamily family, final boolean prometheus)
    {
        if (families.containsKey(family.name()))
        {
            throw new IllegalStateException("family declared twice: " + family.name());
        }
        families.put(family.name(), new Declared(family, prometheus));
        if (family.labelNames().isEmpty())
        {
            cell(family); // a family without labels is one series that exists from the start
        }
        return this;
    }

    /**
     * The series' cell, created at 0 on first use (so a series exists from the moment it is first asked for).
     *
     * @param family      a declared family.
     * @param labelValues one value per label name.
     * @return the cell to count into.
     */
    public MetricCell cell(final MetricFamily family, final String... labelValues)
    {
        final Declared declared = declared(family, labelValues);
        final List<String> key = List.of(labelValues);
        MetricCell cell = declared.cells.get(key);
        if (null == cell)
        {
            cell = new MetricCell(declared.family);
            declared.cells.put(key, cell);
        }
        return cell;
    }

    /**
     * Stop exporting one series (e.g. a per-client series retired after its retention period).
     *
     * @param family      a declared family.
     * @param labelValues the series.
     */
    public void remove(final MetricFamily family, final String... labelValues)
    {
        declared(family, labelValues).cells.remove(List.of(labelValues));
    }

    /** @return the declared families, in declaration order. */
    public List<MetricFamily> families()
    {
        final List<MetricFamily> result = new ArrayList<>(families.size());
        for (final Declared declared : families.values())
        {
            result.add(declared.family);
        }
        return result;
    }

    /**
     * Freeze every family.
     *
     * @param timestampMs wall clock (epoch ms).
     * @param uptimeMs    time since the proxy started.
     * @return the snapshot.
     */
    public MetricsSnapshot snapshot(final long timestampMs, final long uptimeMs)
    {
        final List<FamilySnapshot> frozen = new ArrayList<>(families.size());
        for (final Declared declared : families.values())
        {
            final List<Sample> samples = new ArrayList<>(declared.cells.size());
            for (final Map.Entry<List<String>, MetricCell> entry : declared.cells.entrySet())
            {
                samples.add(entry.getValue().sample(entry.getKey()));
            }
            frozen.add(new FamilySnapshot(declared.family, declared.prometheus, List.copyOf(samples)));
        }
        return new MetricsSnapshot(timestampMs, uptimeMs, frozen);
    }

    private Declared declared(final MetricFamily family, final String[] labelValues)
    {
        final Declared declared = families.get(family.name());
        if (null == declared)
        {
            throw new IllegalStateException("family not declared: " + family.name());
        }
        if (labelValues.length != declared.family.labelNames().size())
        {
            throw new IllegalArgumentException(family.name() + " has labels " + declared.family.labelNames() +
                ", given " + labelValues.length + " values");
        }
        return declared;
    }

    private static final class Declared
    {
        final MetricFamily family;
        final boolean prometheus;
        final Map<List<String>, MetricCell> cells = new LinkedHashMap<>();

        Declared(final MetricFamily family, final boolean prometheus)
        {
            this.family = family;
            this.prometheus = prometheus;
        }
    }

    static Map<String, FamilySnapshot> index(final List<FamilySnapshot> families)
    {
        final Map<String, FamilySnapshot> byName = new HashMap<>();
        for (final FamilySnapshot family : families)
        {
            byName.put(family.family().name(), family);
        }
        return byName;
    }
}
