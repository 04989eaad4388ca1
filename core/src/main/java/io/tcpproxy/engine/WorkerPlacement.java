package io.tcpproxy.engine;

import io.tcpproxy.config.CpuAffinityMode;
import io.tcpproxy.engine.affinity.AffinityMode;
import io.tcpproxy.engine.affinity.CpuTopology;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The CPU each worker is pinned to ({@code cpu_affinity}), decided once at engine start and said in one startup
 * line. {@code "cores"} and {@code "l3"} read the machine's topology from sysfs; when that cannot be read they fall
 * back, with a warning, to {@code true}'s worker k on CPU k.
 */
final class WorkerPlacement
{
    /** Where Linux describes its CPUs. */
    static final Path SYSTEM_CPU_ROOT = Path.of("/sys/devices/system/cpu");

    private WorkerPlacement()
    {
    }

    /**
     * @param mode          the configured {@code cpu_affinity}.
     * @param workers       how many workers, at least 1.
     * @param availableCpus CPUs the JVM sees, for worker k on CPU k (k modulo this).
     * @param cpuRoot       a directory shaped like {@code /sys/devices/system/cpu} (tests give a fixture tree).
     * @param log           receives the startup line, and the warning of a fallback.
     * @return the CPU of worker 0, 1, ..., or null when workers are not pinned.
     */
    static int[] plan(
        final CpuAffinityMode mode,
        final int workers,
        final int availableCpus,
        final Path cpuRoot,
        final EngineLog log)
    {
        if (mode == CpuAffinityMode.OFF)
        {
            return null;
        }
        if (mode != CpuAffinityMode.BY_INDEX)
        {
            try
            {
                final CpuTopology topology = CpuTopology.read(cpuRoot);
                final int[] cpus = toArray(topology, mode == CpuAffinityMode.L3 ? AffinityMode.L3 : AffinityMode.CORES,
                    workers);
                log.info(line(mode, cpus) + " (" + topology.cpus().size() + " CPUs, " + topology.coreCount() +
                    " physical cores, " + topology.l3DomainCount() + " L3 domains)");
                return cpus;
            }
            catch (final IOException | RuntimeException ex)
            {
                log.warn("cpu_affinity = " + mode.tomlText() + ": cannot read the CPU topology under " + cpuRoot +
                    " (" + ex.getMessage() + "); falling back to cpu_affinity = true (worker k on CPU k)");
            }
        }
        final int[] cpus = new int[workers];
        for (int worker = 0; worker < workers; worker++)
        {
            cpus[worker] = worker % Math.max(1, availableCpus);
        }
        log.info(line(CpuAffinityMode.BY_INDEX, cpus));
        return cpus;
    }

    /** @return e.g. {@code cpu_affinity = "cores": worker 0 -> cpu 0, worker 1 -> cpu 2}. */
    static String line(final CpuAffinityMode mode, final int[] cpus)
    {
        final StringBuilder line = new StringBuilder("cpu_affinity = ").append(mode.tomlText()).append(':');
        for (int worker = 0; worker < cpus.length; worker++)
        {
            line.append(worker == 0 ? " " : ", ").append("worker ").append(worker).append(" -> cpu ")
                .append(cpus[worker]);
        }
        return line.toString();
    }

    private static int[] toArray(final CpuTopology topology, final AffinityMode mode, final int workers)
    {
        final int[] cpus = new int[workers];
        int worker = 0;
        for (final int cpu : topology.plan(mode, workers))
        {
            cpus[worker++] = cpu;
        }
        return cpus;
    }
}
