package io.tcpproxy.bench.cpu;

import java.io.IOException;
import java.util.Map;

/**
 * The CPU time of one measured target: a process (tcp-proxy, the echo server, with a breakdown by thread group for
 * tcp-proxy) or a process tree (HAProxy, nginx with its workers).
 */
public final class CpuSource
{
    private final ProcCpu proc;
    private final long pid;
    private final boolean tree;
    private final boolean threadGroups;
    private Map<Long, String> threadNames = Map.of();

    private CpuSource(final ProcCpu proc, final long pid, final boolean tree, final boolean threadGroups)
    {
        this.proc = proc;
        this.pid = pid;
        this.tree = tree;
        this.threadGroups = threadGroups;
    }

    /**
     * @param proc where to read.
     * @param pid  a process, all its threads counted.
     * @return its CPU source.
     */
    public static CpuSource process(final ProcCpu proc, final long pid)
    {
        return new CpuSource(proc, pid, false, false);
    }

    /**
     * @param proc where to read.
     * @param pid  a process whose descendants count too (nginx's master and workers).
     * @return its CPU source.
     */
    public static CpuSource tree(final ProcCpu proc, final long pid)
    {
        return new CpuSource(proc, pid, true, false);
    }

    /**
     * @param proc where to read.
     * @param pid  a tcp-proxy JVM: also broken down by {@link ThreadGroups thread group}.
     * @return its CPU source.
     */
    public static CpuSource proxy(final ProcCpu proc, final long pid)
    {
        final CpuSource source = new CpuSource(proc, pid, false, true);
        // jcmd takes a second or more: ask once now, before any measured window; the proxy starts its threads at
        // startup, and threads started later (more C2 compilers) are classified by their kernel names
        source.threadNames = JcmdThreadNames.of(pid);
        return source;
    }

    /**
     * @return the CPU used so far, or null when the process is gone.
     */
    public CpuSample sample()
    {
        try
        {
            final long totalNs = tree ? proc.treeCpuNs(pid) : proc.processCpuNs(pid);
            if (!threadGroups)
            {
                return new CpuSample(totalNs, Map.of());
            }
            return new CpuSample(totalNs, proc.threadGroupCpuNs(pid, threadNames));
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }
}
