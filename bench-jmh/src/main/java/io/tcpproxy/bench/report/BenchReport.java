package io.tcpproxy.bench.report;

import io.tcpproxy.bench.scenario.Scenario;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Every measurement of a matrix run, and the per-cell medians the table and chart show.
 */
public final class BenchReport
{
    private final List<Target> targets;
    private final List<Scenario> scenarios;
    private final int runs;
    private final String mode;
    private final Instant startedAt;
    private final List<Measurement> measurements = new ArrayList<>();
    private String incomplete;

    /**
     * @param targets   targets in column order; the first is the one the ratio columns compare.
     * @param scenarios scenarios in row order.
     * @param runs      how many times the matrix runs.
     * @param mode      a short description of how it ran, e.g. {@code closed loop, quick}.
     * @param startedAt when the run started.
     */
    public BenchReport(
        final List<Target> targets,
        final List<Scenario> scenarios,
        final int runs,
        final String mode,
        final Instant startedAt)
    {
        this.targets = List.copyOf(targets);
        this.scenarios = List.copyOf(scenarios);
        this.runs = runs;
        this.mode = mode;
        this.startedAt = startedAt;
    }

    /**
     * @param measurement one cell of one run.
     */
    public void add(final Measurement measurement)
    {
        measurements.add(measurement);
    }

    /**
     * Mark the run as stopped before its end; the measurements so far stay.
     *
     * @param reason e.g. {@code interrupted} or {@code connection refused to 127.0.0.1:9}.
     */
    public void markIncomplete(final String reason)
    {
        this.incomplete = reason;
    }

    /**
     * @return why the run stopped before its end, or null when it ran to the end.
     */
    public String incomplete()
    {
        return incomplete;
    }

    /**
     * @return targets in column order.
     */
    public List<Target> targets()
    {
        return targets;
    }

    /**
     * @return scenarios in row order.
     */
    public List<Scenario> scenarios()
    {
        return scenarios;
    }

    /**
     * @return planned runs of the matrix.
     */
    public int runs()
    {
        return runs;
    }

    /**
     * @return how it ran.
     */
    public String mode()
    {
        return mode;
    }

    /**
     * @return when it started.
     */
    public Instant startedAt()
    {
        return startedAt;
    }

    /**
     * @return every measurement in the order taken.
     */
    public List<Measurement> measurements()
    {
        return List.copyOf(measurements);
    }

    /**
     * The median over runs of each figure of one cell; errors are summed over runs.
     *
     * @param scenario a scenario name.
     * @param target   a target name.
     * @return the medians, or null when the cell was not measured.
     */
    public Measurement median(final String scenario, final String target)
    {
        final List<Measurement> cell = new ArrayList<>();
        for (final Measurement measurement : measurements)
        {
            if (measurement.scenario().name().equals(scenario) && measurement.target().equals(target))
            {
                cell.add(measurement);
            }
        }
        if (cell.isEmpty())
        {
            return null;
        }
        return new Measurement(
            0,
            cell.get(0).scenario(),
            target,
            medianLong(cell, Measurement::requests),
            medianLong(cell, Measurement::responses),
            medianDouble(cell, Measurement::requestsPerSec),
            medianDouble(cell, Measurement::throughputMbPerSec),
            medianLong(cell, Measurement::p50Ns),
            medianLong(cell, Measurement::p90Ns),
            medianLong(cell, Measurement::p99Ns),
            medianLong(cell, Measurement::p999Ns),
            medianLong(cell, Measurement::maxNs),
            medianDouble(cell, Measurement::meanNs),
            sum(cell, Measurement::connectErrors),
            sum(cell, Measurement::resets),
            sum(cell, Measurement::mismatches),
            sum(cell, Measurement::timeouts),
            medianOfKnown(cell, Measurement::cpuUsPerRoundTrip),
            medianGroups(cell));
    }

    private static long medianLong(final List<Measurement> cell, final ToLongFunction<Measurement> figure)
    {
        return Math.round(medianDouble(cell, measurement -> (double)figure.applyAsLong(measurement)));
    }

    private static double medianDouble(final List<Measurement> cell, final ToDoubleFunction<Measurement> figure)
    {
        final double[] values = new double[cell.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = figure.applyAsDouble(cell.get(i));
        }
        Arrays.sort(values);
        final int middle = values.length / 2;
        return (values.length & 1) == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static double medianOfKnown(final List<Measurement> cell, final ToDoubleFunction<Measurement> figure)
    {
        final List<Measurement> known = new ArrayList<>();
        for (final Measurement measurement : cell)
        {
            if (!Double.isNaN(figure.applyAsDouble(measurement)))
            {
                known.add(measurement);
            }
        }
        return known.isEmpty() ? Double.NaN : medianDouble(known, figure);
    }

    private static Map<String, Double> medianGroups(final List<Measurement> cell)
    {
        final Map<String, Double> groups = new LinkedHashMap<>();
        for (final Measurement measurement : cell)
        {
            for (final String group : measurement.cpuGroupsUsPerRoundTrip().keySet())
            {
                groups.put(group, medianOfKnown(cell,
                    each -> each.cpuGroupsUsPerRoundTrip().getOrDefault(group, Double.NaN)));
            }
        }
        return groups;
    }

    private static long sum(final List<Measurement> cell, final ToLongFunction<Measurement> figure)
    {
        long total = 0;
        for (final Measurement measurement : cell)
        {
            total += figure.applyAsLong(measurement);
        }
        return total;
    }
}
