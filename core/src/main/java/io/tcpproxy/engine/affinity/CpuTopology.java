package io.tcpproxy.engine.affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The CPUs of a Linux machine as sysfs describes them ({@code cpuN/topology/{core_id,physical_package_id,
 * thread_siblings_list}} and the level-3 {@code cpuN/cache/indexK/shared_cpu_list}), and the worker placements of
 * {@link AffinityMode}. Pure: it reads a directory given to it, so tests use fixture trees.
 * <p>
 * Use: {@code CpuTopology.read(Path.of("/sys/devices/system/cpu")).plan(AffinityMode.L3, workers)} gives the CPU of
 * each worker; {@link #describe(List)} says where each runs, for the startup line.
 */
public final class CpuTopology
{
    private static final Pattern CPU_DIR = Pattern.compile("cpu\\d+");

    /**
     * One logical CPU.
     *
     * @param id        its number, as {@code taskset} takes it.
     * @param core      index of its physical core (package and core id), 0-based in order of first CPU.
     * @param l3        index of its L3 domain, 0-based in order of first CPU; the package when no L3 is described.
     * @param firstOfCore true for the lowest-numbered CPU of its core (the one a worker takes before any sibling).
     */
    public record Cpu(int id, int core, int l3, boolean firstOfCore)
    {
    }

    private final List<Cpu> cpus;
    private final int cores;
    private final int l3Domains;

    private CpuTopology(final List<Cpu> cpus, final int cores, final int l3Domains)
    {
        this.cpus = List.copyOf(cpus);
        this.cores = cores;
        this.l3Domains = l3Domains;
    }

    /**
     * @return the topology of this machine.
     * @throws IOException when {@code /sys/devices/system/cpu} is missing or unreadable (not Linux).
     */
    public static CpuTopology system() throws IOException
    {
        return read(Path.of("/sys/devices/system/cpu"));
    }

    /**
     * @param cpuRoot a directory shaped like {@code /sys/devices/system/cpu}.
     * @return its online CPUs (all with a topology directory when {@code online} is missing).
     * @throws IOException when it holds no CPU with a topology, or a file is malformed.
     */
    public static CpuTopology read(final Path cpuRoot) throws IOException
    {
        final Path onlineFile = cpuRoot.resolve("online");
        final TreeSet<Integer> online = Files.isRegularFile(onlineFile) ?
            new TreeSet<>(parseCpuList(Files.readString(onlineFile, StandardCharsets.US_ASCII))) : null;
        final TreeMap<Integer, Path> dirs = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(cpuRoot))
        {
            for (final Path entry : entries)
            {
                final String name = entry.getFileName().toString();
                if (CPU_DIR.matcher(name).matches() && Files.isDirectory(entry.resolve("topology")))
                {
                    final int id = Integer.parseInt(name.substring(3));
                    if (online == null || online.contains(id))
                    {
                        dirs.put(id, entry);
                    }
                }
            }
        }
        if (dirs.isEmpty())
        {
            throw new IOException("no CPU topology under " + cpuRoot);
        }
        final Map<String, Integer> coreIndex = new LinkedHashMap<>();
        final Map<String, Integer> l3Index = new LinkedHashMap<>();
        final Map<String, Integer> firstCpuOfCore = new LinkedHashMap<>();
        final List<Cpu> cpus = new ArrayList<>();
        for (final Map.Entry<Integer, Path> dir : dirs.entrySet())
        {
            final Path topology = dir.getValue().resolve("topology");
            final String packageId = readText(topology.resolve("physical_package_id"));
            final String coreKey = packageId + "/" + readText(topology.resolve("core_id"));
            final String l3 = l3Key(dir.getValue(), packageId);
            coreIndex.putIfAbsent(coreKey, coreIndex.size());
            l3Index.putIfAbsent(l3, l3Index.size());
            firstCpuOfCore.putIfAbsent(coreKey, dir.getKey());
            cpus.add(new Cpu(dir.getKey(), coreIndex.get(coreKey), l3Index.get(l3),
                firstCpuOfCore.get(coreKey).equals(dir.getKey())));
        }
        return new CpuTopology(cpus, coreIndex.size(), l3Index.size());
    }

    /**
     * @return the online CPUs by number.
     */
    public List<Cpu> cpus()
    {
        return cpus;
    }

    /**
     * @return physical cores.
     */
    public int coreCount()
    {
        return cores;
    }

    /**
     * @return L3 cache domains.
     */
    public int l3DomainCount()
    {
        return l3Domains;
    }

    /**
     * Where each worker runs.
     * <ul>
     *     <li>{@link AffinityMode#CORES}: the first CPU of each physical core in CPU order, then the second threads
     *     (SMT siblings) the same way, then around again when there are more workers than CPUs.</li>
     *     <li>{@link AffinityMode#L3}: one physical core from each L3 domain in turn (a domain's cores in CPU
     *     order), so 4 workers on a 2-CCD Ryzen take 2 cores of each CCD; then the siblings the same way.</li>
     * </ul>
     *
     * @param mode    how to place.
     * @param workers how many workers, at least 1.
     * @return the CPU of worker 0, 1, ...
     */
    public List<Integer> plan(final AffinityMode mode, final int workers)
    {
        if (workers < 1)
        {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        final List<Integer> order = mode == AffinityMode.CORES ? coresOrder() : l3Order();
        final List<Integer> plan = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++)
        {
            plan.add(order.get(i % order.size()));
        }
        return plan;
    }

    /**
     * @param plan the result of {@link #plan}.
     * @return e.g. {@code worker 0: cpu 0 (core 0, L3 0), worker 1: cpu 8 (core 8, L3 1)}.
     */
    public String describe(final List<Integer> plan)
    {
        final StringBuilder out = new StringBuilder();
        for (int worker = 0; worker < plan.size(); worker++)
        {
            final Cpu cpu = cpu(plan.get(worker));
            out.append(worker == 0 ? "" : ", ").append("worker ").append(worker).append(": cpu ").append(cpu.id())
                .append(" (core ").append(cpu.core()).append(", L3 ").append(cpu.l3()).append(')');
        }
        return out.toString();
    }

    private Cpu cpu(final int id)
    {
        for (final Cpu cpu : cpus)
        {
            if (cpu.id() == id)
            {
                return cpu;
            }
        }
        throw new IllegalArgumentException("no online cpu " + id);
    }

    /** First CPUs of every core, then every core's second thread, and so on. */
    private List<Integer> coresOrder()
    {
        final List<List<Integer>> byCore = threadsByCore();
        final List<Integer> order = new ArrayList<>();
        for (int round = 0; order.size() < cpus.size(); round++)
        {
            for (final List<Integer> threads : byCore)
            {
                if (round < threads.size())
                {
                    order.add(threads.get(round));
                }
            }
        }
        return order;
    }

    /** Round-robin over L3 domains, a core at a time, first threads before siblings. */
    private List<Integer> l3Order()
    {
        final List<List<Integer>> byCore = threadsByCore();
        final List<List<Integer>> coresByDomain = new ArrayList<>();
        for (int d = 0; d < l3Domains; d++)
        {
            coresByDomain.add(new ArrayList<>());
        }
        for (int core = 0; core < byCore.size(); core++)
        {
            coresByDomain.get(cpu(byCore.get(core).get(0)).l3()).add(core);
        }
        final List<Integer> order = new ArrayList<>();
        for (int round = 0; order.size() < cpus.size(); round++)
        {
            for (int position = 0; ; position++)
            {
                boolean any = false;
                for (final List<Integer> domain : coresByDomain)
                {
                    if (position < domain.size())
                    {
                        any = true;
                        final List<Integer> threads = byCore.get(domain.get(position));
                        if (round < threads.size())
                        {
                            order.add(threads.get(round));
                        }
                    }
                }
                if (!any)
                {
                    break;
                }
            }
        }
        return order;
    }

    private List<List<Integer>> threadsByCore()
    {
        final List<List<Integer>> byCore = new ArrayList<>();
        for (int core = 0; core < cores; core++)
        {
            byCore.add(new ArrayList<>());
        }
        for (final Cpu cpu : cpus)
        {
            byCore.get(cpu.core()).add(cpu.id());
        }
        return byCore;
    }

    /**
     * The L3 domain of a CPU: the {@code shared_cpu_list} of its level-3 cache, else its package.
     */
    private static String l3Key(final Path cpuDir, final String packageId) throws IOException
    {
        final Path cache = cpuDir.resolve("cache");
        if (Files.isDirectory(cache))
        {
            try (DirectoryStream<Path> indexes = Files.newDirectoryStream(cache, "index*"))
            {
                for (final Path index : indexes)
                {
                    final Path level = index.resolve("level");
                    final Path shared = index.resolve("shared_cpu_list");
                    if (Files.isRegularFile(level) && "3".equals(readText(level)) && Files.isRegularFile(shared))
                    {
                        return "l3:" + new TreeSet<>(parseCpuList(readText(shared)));
                    }
                }
            }
        }
        return "package:" + packageId;
    }

    /**
     * @param text a kernel CPU list, e.g. {@code 0-7,16-23} or {@code 3}.
     * @return the CPUs in it, ascending.
     * @throws IOException when it is malformed.
     */
    static List<Integer> parseCpuList(final String text) throws IOException
    {
        final List<Integer> cpus = new ArrayList<>();
        final String trimmed = text.strip();
        if (trimmed.isEmpty())
        {
            return cpus;
        }
        try
        {
            for (final String part : trimmed.split(","))
            {
                final int dash = part.indexOf('-');
                final int from = Integer.parseInt(dash < 0 ? part.strip() : part.substring(0, dash).strip());
                final int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).strip());
                if (from < 0 || to < from)
                {
                    throw new NumberFormatException(part);
                }
                for (int cpu = from; cpu <= to; cpu++)
                {
                    cpus.add(cpu);
                }
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("malformed CPU list \"" + trimmed + "\"", ex);
        }
        Collections.sort(cpus);
        return cpus;
    }

    private static String readText(final Path file) throws IOException
    {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }
}
