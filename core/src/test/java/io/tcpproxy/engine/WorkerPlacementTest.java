package io.tcpproxy.engine;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.CpuAffinityMode;
import io.tcpproxy.engine.affinity.AffinityMode;
import io.tcpproxy.engine.affinity.CpuTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code cpu_affinity} from the configured mode to the worker threads' CPU masks: the plan read from fixture sysfs
 * trees, the fallback when there is none, and a real start on this machine.
 */
class WorkerPlacementTest
{
    private static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);
    /** Linux keeps 15 characters of a thread's name: tcp-proxy-worker-N shows as this. */
    private static final String WORKER_THREAD_COMM = "tcp-proxy-worke";

    @TempDir
    Path dir;

    private static Path fixture(final String name) throws Exception
    {
        return Path.of(Objects.requireNonNull(WorkerPlacementTest.class.getResource("/affinity/" + name)).toURI());
    }

    /** Runs the planner with a log of its own and returns what the log printed, after the plan. */
    private static String plan(final CpuAffinityMode mode, final int workers, final Path root, final int[][] result)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EngineLog log = new EngineLog(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try
        {
            result[0] = WorkerPlacement.plan(mode, workers, 2, root, log);
        }
        finally
        {
            log.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldPlaceOneWorkerPerPhysicalCoreOfAFixtureRyzen() throws Exception
    {
        final int[][] cpus = new int[1][];
        final String out = plan(CpuAffinityMode.CORES, 3, fixture("ryzen-7950x-16c-2ccd-smt"), cpus);

        assertArrayEquals(new int[]{ 0, 1, 2 }, cpus[0]);
        assertEquals("[INFO] cpu_affinity = \"cores\": worker 0 -> cpu 0, worker 1 -> cpu 1, worker 2 -> cpu 2 " +
            "(32 CPUs, 16 physical cores, 2 L3 domains)\n", out);
    }

    @Test
    void shouldSpreadWorkersAcrossTheL3DomainsOfFixtureMachines() throws Exception
    {
        final int[][] cpus = new int[1][];
        final String ryzen = plan(CpuAffinityMode.L3, 2, fixture("ryzen-7950x-16c-2ccd-smt"), cpus);
        assertArrayEquals(new int[]{ 0, 8 }, cpus[0]);
        assertEquals("[INFO] cpu_affinity = \"l3\": worker 0 -> cpu 0, worker 1 -> cpu 8 " +
            "(32 CPUs, 16 physical cores, 2 L3 domains)\n", ryzen);

        final String epyc = plan(CpuAffinityMode.L3, 4, fixture("epyc-7543p-32c-8ccd-smt"), cpus);
        assertArrayEquals(new int[]{ 0, 4, 8, 12 }, cpus[0]);
        assertTrue(epyc.contains("(64 CPUs, 32 physical cores, 8 L3 domains)"), epyc);
    }

    @Test
    void shouldFallBackToWorkerKOnCpuKWithAWarningWhenSysfsCannotBeRead()
    {
        final Path missing = dir.resolve("no-sysfs");
        final int[][] cpus = new int[1][];
        final String out = plan(CpuAffinityMode.CORES, 3, missing, cpus);

        assertArrayEquals(new int[]{ 0, 1, 0 }, cpus[0], "worker k on CPU k modulo the 2 CPUs given");
        final String[] lines = out.split("\n");
        assertEquals(2, lines.length, out);
        assertTrue(lines[0].startsWith("[WARN] cpu_affinity = \"cores\": cannot read the CPU topology under " +
            missing + " ("), out);
        assertTrue(lines[0].endsWith("); falling back to cpu_affinity = true (worker k on CPU k)"), out);
        assertEquals("[INFO] cpu_affinity = true: worker 0 -> cpu 0, worker 1 -> cpu 1, worker 2 -> cpu 0", lines[1]);
    }

    @Test
    void shouldFallBackWhenATopologyFileIsMalformed() throws Exception
    {
        final Path topology = Files.createDirectories(dir.resolve("cpu0").resolve("topology"));
        Files.writeString(topology.resolve("core_id"), "0\n");
        Files.writeString(topology.resolve("physical_package_id"), "0\n");
        Files.writeString(dir.resolve("online"), "0-x\n");
        final int[][] cpus = new int[1][];

        final String out = plan(CpuAffinityMode.L3, 1, dir, cpus);

        assertArrayEquals(new int[]{ 0 }, cpus[0]);
        assertTrue(out.startsWith("[WARN] cpu_affinity = \"l3\": cannot read the CPU topology"), out);
    }

    @Test
    void shouldPinWorkerKToCpuKForTrueWithoutReadingSysfsAndNothingForFalse()
    {
        final int[][] cpus = new int[1][];
        final String on = plan(CpuAffinityMode.BY_INDEX, 2, dir.resolve("never-read"), cpus);
        assertArrayEquals(new int[]{ 0, 1 }, cpus[0]);
        assertEquals("[INFO] cpu_affinity = true: worker 0 -> cpu 0, worker 1 -> cpu 1\n", on);

        final String off = plan(CpuAffinityMode.OFF, 2, dir.resolve("never-read"), cpus);
        assertNull(cpus[0]);
        assertEquals("", off);
    }

    @Test
    @Timeout(120)
    void shouldPinTheWorkerThreadsOfARealStartWhereTheCoresLineSays() throws Exception
    {
        final List<Integer> expected = CpuTopology.system().plan(AffinityMode.CORES, 2);
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final Config config = Config.builder()
            .listenAddress("127.0.0.1:0")
            .targetAddress("127.0.0.1:9")
            .metricsAddress("")
            .workers(2)
            .cpuAffinity(CpuAffinityMode.CORES)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0)
            .build();

        try (Proxy proxy = Proxy.start(config, new PrintStream(console, true, StandardCharsets.UTF_8)))
        {
            final String line = "[INFO] cpu_affinity = \"cores\": worker 0 -> cpu " + expected.get(0) +
                ", worker 1 -> cpu " + expected.get(1) + " (";
            await(() -> console.toString(StandardCharsets.UTF_8).contains(line) ? null :
                "no line starting " + line + " in:\n" + console.toString(StandardCharsets.UTF_8));

            final List<String> planned = expected.stream().map(String::valueOf).sorted()
                .collect(Collectors.toList());
            await(() ->
            {
                final List<String> masks = workerThreadCpuLists();
                return masks.equals(planned) ? null : "worker threads' Cpus_allowed_list " + masks + ", planned " +
                    planned + "; console:\n" + console.toString(StandardCharsets.UTF_8);
            });
            assertTrue(proxy.localAddress().getPort() > 0);
        }
    }

    /** Waits until {@code problem} returns null (nothing wrong), failing with its last answer after 30 s. */
    private static void await(final Supplier<String> problem) throws InterruptedException
    {
        final long deadline = System.nanoTime() + DEADLINE_NS;
        String last = problem.get();
        while (last != null)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail(last);
            }
            Thread.sleep(20);
            last = problem.get();
        }
    }

    /** @return the {@code Cpus_allowed_list} of every worker thread of this JVM, sorted. */
    private static List<String> workerThreadCpuLists()
    {
        final List<String> lists = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks)
            {
                final List<String> status;
                try
                {
                    status = Files.readAllLines(task.resolve("status"), StandardCharsets.UTF_8);
                }
                catch (final NoSuchFileException ex)
                {
                    continue; // the thread ended while listing
                }
                catch (final IOException ex)
                {
                    continue; // likewise (ESRCH on some kernels)
                }
                if (status.contains("Name:\t" + WORKER_THREAD_COMM))
                {
                    for (final String line : status)
                    {
                        if (line.startsWith("Cpus_allowed_list:"))
                        {
                            lists.add(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            return List.of("cannot list /proc/self/task: " + ex);
        }
        Collections.sort(lists);
        return lists;
    }
}
