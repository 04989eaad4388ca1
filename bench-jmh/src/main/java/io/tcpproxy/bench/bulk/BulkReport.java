package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.report.BestOf;
import io.tcpproxy.bench.report.Target;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * All measurements of a {@code bulk} run (or of the bulk part of {@code bench --bulk}), and their medians per case
 * and target.
 */
public final class BulkReport
{
    /** The target the ratio columns are about. */
    static final String SUBJECT = BestOf.SUBJECT;

    private final Instant startedAt;
    private final String commandLine;
    private final String settings;
    private final List<Target> targets;
    private final List<BulkCase> cases;
    private final int runs;
    private final List<BulkMeasurement> measurements = new ArrayList<>();
    private volatile boolean interrupted;

    BulkReport(
        final Instant startedAt,
        final String commandLine,
        final String settings,
        final List<Target> targets,
        final List<BulkCase> cases,
        final int runs)
    {
        this.startedAt = startedAt;
        this.commandLine = commandLine;
        this.settings = settings;
        this.targets = List.copyOf(targets);
        this.cases = List.copyOf(cases);
        this.runs = runs;
    }

    void add(final BulkMeasurement measurement)
    {
        measurements.add(measurement);
    }

    /**
     * @return true when a signal stopped the run before its end; the measurements so far stay.
     */
    public boolean interrupted()
    {
        return interrupted;
    }

    void markInterrupted()
    {
        interrupted = true;
    }

    Instant startedAt()
    {
        return startedAt;
    }

    String commandLine()
    {
        return commandLine;
    }

    String settings()
    {
        return settings;
    }

    List<Target> targets()
    {
        return targets;
    }

    List<BulkCase> cases()
    {
        return cases;
    }

    int runs()
    {
        return runs;
    }

    List<BulkMeasurement> measurements()
    {
        return Collections.unmodifiableList(measurements);
    }

    /**
     * @return the number of transfers that failed.
     */
    int errors()
    {
        int errors = 0;
        for (final BulkMeasurement measurement : measurements)
        {
            errors += measurement.error() != null ? 1 : 0;
        }
        return errors;
    }

    /**
     * @return the throughputs in Gbit/s of the successful runs of a cell, sorted.
     */
    List<Double> gbitPerSec(final BulkCase bulkCase, final String target)
    {
        final List<Double> values = new ArrayList<>();
        for (final BulkMeasurement measurement : measurements)
        {
            if (measurement.result() != null && measurement.bulkCase().equals(bulkCase) &&
                measurement.target().equals(target))
            {
                values.add(measurement.result().gbitPerSec());
            }
        }
        Collections.sort(values);
        return values;
    }

    int errors(final BulkCase bulkCase, final String target)
    {
        int errors = 0;
        for (final BulkMeasurement measurement : measurements)
        {
            if (measurement.error() != null && measurement.bulkCase().equals(bulkCase) &&
                measurement.target().equals(target))
            {
                errors++;
            }
        }
        return errors;
    }

    /**
     * @return the median throughput of the successful runs of a cell in Gbit/s, or NaN if none succeeded.
     */
    double medianGbitPerSec(final BulkCase bulkCase, final String target)
    {
        return median(gbitPerSec(bulkCase, target));
    }

    /**
     * @return the median CPU per GiB of the successful runs of a cell in milliseconds, or NaN if not measured.
     */
    double medianCpuMsPerGib(final BulkCase bulkCase, final String target)
    {
        final List<Double> values = new ArrayList<>();
        for (final BulkMeasurement measurement : measurements)
        {
            if (measurement.result() != null && measurement.bulkCase().equals(bulkCase) &&
                measurement.target().equals(target) && !Double.isNaN(measurement.cpuMsPerGib()))
            {
                values.add(measurement.cpuMsPerGib());
            }
        }
        Collections.sort(values);
        return median(values);
    }

    /**
     * @return true when the CPU of some target was measured.
     */
    boolean hasCpu()
    {
        for (final BulkMeasurement measurement : measurements)
        {
            if (!Double.isNaN(measurement.cpuMsPerGib()))
            {
                return true;
            }
        }
        return false;
    }

    static double median(final List<Double> sorted)
    {
        final int size = sorted.size();
        if (size == 0)
        {
            return Double.NaN;
        }
        return (size & 1) == 1 ? sorted.get(size / 2) : (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
    }

    boolean hasTarget(final String name)
    {
        for (final Target target : targets)
        {
            if (target.name().equals(name))
            {
                return true;
            }
        }
        return false;
    }
}
