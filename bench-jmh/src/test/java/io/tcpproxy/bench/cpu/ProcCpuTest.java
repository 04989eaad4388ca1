package io.tcpproxy.bench.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProcCpuTest
{
    private static final long TICK_NS = 10_000_000;

    /** A stat line as Linux writes it: pid (comm) state ppid ... utime (14th) stime (15th) ... */
    private static String stat(final long pid, final String comm, final long ppid, final long utime, final long stime)
    {
        return pid + " (" + comm + ") S " + ppid + " " + pid + " " + pid + " 0 -1 4194560 1186 0 0 0 " +
            utime + " " + stime + " 0 0 20 0 23 0 55278 3133440 359 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 " +
            "0 0 0 0 0\n";
    }

    private static void write(final Path file, final String text) throws IOException
    {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** One process or thread: its stat fields that count here (times in clock ticks). */
    private record Task(long pid, String comm, long ppid, long utime, long stime)
    {
    }

    private static Task task(final long pid, final String comm, final long ppid, final long utime, final long stime)
    {
        return new Task(pid, comm, ppid, utime, stime);
    }

    /** Writes {@code <dir>/<pid>/stat} for each task. */
    private static void writeStats(final Path dir, final Task... tasks) throws IOException
    {
        for (final Task task : tasks)
        {
            write(dir.resolve(task.pid() + "/stat"),
                stat(task.pid(), task.comm(), task.ppid(), task.utime(), task.stime()));
        }
    }

    @Test
    void shouldReadUserPlusSystemTimeOfAProcessEvenWithSpacesAndParenthesesInItsName(@TempDir final Path proc)
        throws IOException
    {
        write(proc.resolve("100/stat"), stat(100, "java (x) y", 1, 250, 50));

        assertEquals(300 * TICK_NS, new ProcCpu(proc).processCpuNs(100));
    }

    @Test
    void shouldSumAProcessTreeAndNothingElse(@TempDir final Path proc) throws IOException
    {
        writeStats(proc, task(200, "nginx", 1, 10, 5), task(201, "nginx", 200, 100, 40),
            task(202, "nginx", 200, 200, 60), task(203, "helper", 202, 1, 1), task(300, "unrelated", 1, 9999, 9999));
        write(proc.resolve("self/stat"), stat(1, "not a pid directory", 0, 7777, 0));

        assertEquals((15 + 140 + 260 + 2) * TICK_NS, new ProcCpu(proc).treeCpuNs(200));
        assertEquals(2 * TICK_NS, new ProcCpu(proc).treeCpuNs(203));
        assertThrows(IOException.class, () -> new ProcCpu(proc).treeCpuNs(999));
    }

    @Test
    void shouldBreakAJvmDownByThreadGroupPreferringFullNames(@TempDir final Path proc) throws IOException
    {
        write(proc.resolve("400/stat"), stat(400, "java", 1, 1000, 200));
        writeStats(proc.resolve("400/task"), task(400, "java", 1, 1, 0),
            task(401, "tcp-proxy-worke", 1, 600, 300), task(402, "tcp-proxy-worke", 1, 100, 50),
            task(403, "tcp-proxy-metri", 1, 20, 0), task(404, "tcp-proxy-metri", 1, 3, 0),
            task(405, "C2 CompilerThre", 1, 70, 0), task(406, "C1 CompilerThre", 1, 5, 0),
            task(407, "GC Thread#0", 1, 2, 0), task(408, "G1 Refine#0", 1, 1, 0), task(409, "VM Thread", 1, 4, 0));

        final Map<String, Long> groups = new ProcCpu(proc).threadGroupCpuNs(400,
            Map.of(403L, "tcp-proxy-metrics", 404L, "tcp-proxy-metrics-http"));

        assertEquals(1050 * TICK_NS, groups.get(ThreadGroups.WORKERS));
        assertEquals(20 * TICK_NS, groups.get(ThreadGroups.COLLECTOR));
        assertEquals(3 * TICK_NS, groups.get(ThreadGroups.HTTP));
        assertEquals(0L, groups.get(ThreadGroups.METRICS));
        assertEquals(75 * TICK_NS, groups.get(ThreadGroups.JIT));
        assertEquals(3 * TICK_NS, groups.get(ThreadGroups.GC));
        assertEquals(5 * TICK_NS, groups.get(ThreadGroups.OTHER));
        assertEquals(1200 * TICK_NS, new ProcCpu(proc).processCpuNs(400));

        final Map<String, Long> byComm = new ProcCpu(proc).threadGroupCpuNs(400, Map.of());
        assertEquals(23 * TICK_NS, byComm.get(ThreadGroups.METRICS), "without full names the two share a group");
    }

    @Test
    void shouldCountAThreadInNanosecondsFromSchedstatWhereTheKernelHasIt(@TempDir final Path proc) throws IOException
    {
        // a worker that ran 3.5 ms reads 0 ticks in stat: a short window on a busy machine must not read it as idle
        write(proc.resolve("500/stat"), stat(500, "java", 1, 10, 0));
        write(proc.resolve("500/task/501/stat"), stat(501, "tcp-proxy-worke", 1, 0, 0));
        write(proc.resolve("500/task/501/schedstat"), "3500000 120000 42\n");
        write(proc.resolve("500/task/502/stat"), stat(502, "C2 CompilerThre", 1, 7, 0));

        final Map<String, Long> groups = new ProcCpu(proc).threadGroupCpuNs(500, Map.of());

        assertEquals(3_500_000L, groups.get(ThreadGroups.WORKERS));
        assertEquals(7 * TICK_NS, groups.get(ThreadGroups.JIT), "no schedstat: the ticks of stat");
    }

    @Test
    void shouldReadThisProcessFromTheRealProc()
    {
        final ProcCpu proc = ProcCpu.system();
        if (!proc.available())
        {
            throw new org.opentest4j.TestAbortedException("no /proc on this system");
        }
        final CpuSample sample = CpuSource.proxy(proc, ProcessHandle.current().pid()).sample();
        assertEquals(true, sample != null && sample.totalNs() > 0, String.valueOf(sample));
        assertEquals(true, sample.groupNs().values().stream().mapToLong(Long::longValue).sum() > 0, sample.toString());
    }

    @Test
    void shouldSubtractSamplesNeverBelowZeroPerGroup()
    {
        final CpuSample before = new CpuSample(100, Map.of("workers", 80L, "jit", 20L));
        final CpuSample after = new CpuSample(250, Map.of("workers", 200L, "jit", 10L));

        final CpuSample used = after.minus(before);

        assertEquals(150, used.totalNs());
        assertEquals(120L, used.groupNs().get("workers"));
        assertEquals(0L, used.groupNs().get("jit"));
    }
}
