package io.tcpproxy.bench.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of processes and threads from a proc file system: {@code utime + stime} of {@code PID/stat} (every thread
 * of the process, living or ended), of a process and its descendants, and of each thread in {@code PID/task/TID/stat}
 * summed by {@link ThreadGroups thread group}.
 */
public final class ProcCpu
{
    /** Clock ticks per second of {@code utime}/{@code stime}: {@code USER_HZ}, 100 on every Linux of today. */
    public static final long USER_HZ = 100;
    private static final long NS_PER_TICK = 1_000_000_000L / USER_HZ;
    private static final int PPID = 1;
    private static final int UTIME = 11;
    private static final int STIME = 12;

    private final Path procRoot;

    /**
     * @param procRoot {@code /proc}, or a fixture tree shaped like it.
     */
    public ProcCpu(final Path procRoot)
    {
        this.procRoot = procRoot;
    }

    /**
     * @return the system's {@code /proc}.
     */
    public static ProcCpu system()
    {
        return new ProcCpu(Path.of("/proc"));
    }

    /**
     * @return true when this proc root has the calling process's stat (Linux).
     */
    public boolean available()
    {
        return Files.isReadable(procRoot.resolve(Long.toString(ProcessHandle.current().pid())).resolve("stat"));
    }

    /**
     * @param pid a process.
     * @return its user + system CPU time, all threads.
     * @throws IOException when it does not exist (any more).
     */
    public long processCpuNs(final long pid) throws IOException
    {
        return cpuNs(parseStat(Files.readString(procRoot.resolve(Long.toString(pid)).resolve("stat"),
            StandardCharsets.UTF_8)));
    }

    /**
     * @param pid a process, e.g. the HAProxy or nginx master.
     * @return the CPU time of it and of every living descendant (nginx's workers).
     * @throws IOException when the process does not exist (any more).
     */
    public long treeCpuNs(final long pid) throws IOException
    {
        final Map<Long, List<Long>> children = new HashMap<>();
        final Map<Long, Long> cpu = new HashMap<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(procRoot))
        {
            for (final Path process : processes)
            {
                final String name = process.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit))
                {
                    continue;
                }
                try
                {
                    final String[] fields = parseStat(Files.readString(process.resolve("stat"), StandardCharsets.UTF_8));
                    final long id = Long.parseLong(name);
                    cpu.put(id, cpuNs(fields));
                    children.computeIfAbsent(Long.parseLong(fields[PPID]), key -> new ArrayList<>()).add(id);
                }
                catch (final IOException | RuntimeException gone)
                {
                    // a process that ended while the directory was read, or a kernel thread without access
                }
            }
        }
        if (!cpu.containsKey(pid))
        {
            throw new IOException("no process " + pid + " in " + procRoot);
        }
        long total = 0;
        final Deque<Long> pending = new ArrayDeque<>(List.of(pid));
        while (!pending.isEmpty())
        {
            final long next = pending.pop();
            total += cpu.getOrDefault(next, 0L);
            pending.addAll(children.getOrDefault(next, List.of()));
        }
        return total;
    }

    /**
     * @param pid   a JVM.
     * @param names full Java thread names by thread id (see {@link JcmdThreadNames}); threads not in it are
     *              classified by their {@code comm} name (15 characters at most).
     * @return CPU time of its living threads by {@link ThreadGroups} group, every group present.
     * @throws IOException when the process does not exist (any more).
     */
    public Map<String, Long> threadGroupCpuNs(final long pid, final Map<Long, String> names) throws IOException
    {
        final Map<String, Long> groups = new LinkedHashMap<>();
        for (final String group : ThreadGroups.GROUPS)
        {
            groups.put(group, 0L);
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(
            procRoot.resolve(Long.toString(pid)).resolve("task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String stat = Files.readString(task.resolve("stat"), StandardCharsets.UTF_8);
                    final long tid = Long.parseLong(task.getFileName().toString());
                    final String name = names.getOrDefault(tid, comm(stat));
                    groups.merge(ThreadGroups.classify(name), threadCpuNs(task, stat), Long::sum);
                }
                catch (final IOException | RuntimeException gone)
                {
                    // a thread that ended while the directory was read
                }
            }
        }
        return groups;
    }

    /**
     * @param stat the text of a {@code stat} file.
     * @return the fields after the command name: [0] is the state, [1] the parent pid, [11] utime, [12] stime.
     */
    static String[] parseStat(final String stat)
    {
        // the command name is in parentheses and may hold spaces and ')'; the last ')' ends it
        final int end = stat.lastIndexOf(')');
        if (end < 0)
        {
            throw new IllegalArgumentException("not a stat line: " + stat);
        }
        return stat.substring(end + 1).strip().split("\\s+");
    }

    /**
     * @param stat the text of a {@code stat} file.
     * @return the command name between the parentheses.
     */
    static String comm(final String stat)
    {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /**
     * A thread's CPU time in nanoseconds from {@code schedstat} where the kernel has it: {@code stat} counts in
     * 10 ms ticks, and a thread that ran a few milliseconds in a short window on a busy machine reads 0 there.
     */
    private static long threadCpuNs(final Path task, final String stat) throws IOException
    {
        final Path schedstat = task.resolve("schedstat");
        if (Files.isReadable(schedstat))
        {
            final String text = Files.readString(schedstat, StandardCharsets.UTF_8).strip();
            final int end = text.indexOf(' ');
            return Long.parseLong(end < 0 ? text : text.substring(0, end));
        }
        return cpuNs(parseStat(stat));
    }

    private static long cpuNs(final String[] fields)
    {
        return (Long.parseLong(fields[UTIME]) + Long.parseLong(fields[STIME])) * NS_PER_TICK;
    }
}
