package io.tcpproxy.engine.affinity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuTopologyTest
{
    private static CpuTopology fixture(final String name) throws IOException, URISyntaxException
    {
        return CpuTopology.read(Path.of(Objects.requireNonNull(
            CpuTopologyTest.class.getResource("/affinity/" + name)).toURI()));
    }

    @Test
    void shouldReadARyzenWithTwoCcdsAndSmt() throws Exception
    {
        final CpuTopology ryzen = fixture("ryzen-7950x-16c-2ccd-smt");

        assertEquals(32, ryzen.cpus().size());
        assertEquals(16, ryzen.coreCount());
        assertEquals(2, ryzen.l3DomainCount());
        assertEquals(new CpuTopology.Cpu(16, 0, 0, false), ryzen.cpus().get(16));
        assertEquals(new CpuTopology.Cpu(8, 8, 1, true), ryzen.cpus().get(8));
    }

    @Test
    void shouldPutOneWorkerPerPhysicalCoreBeforeAnySmtSibling() throws Exception
    {
        final CpuTopology ryzen = fixture("ryzen-7950x-16c-2ccd-smt");

        assertEquals(List.of(0, 1, 2, 3), ryzen.plan(AffinityMode.CORES, 4));
        final List<Integer> sixteen = ryzen.plan(AffinityMode.CORES, 16);
        assertEquals(16, new HashSet<>(sixteen).size());
        assertTrue(sixteen.stream().allMatch(cpu -> cpu < 16), "no sibling while a core is free: " + sixteen);
        assertEquals(List.of(16, 17), ryzen.plan(AffinityMode.CORES, 18).subList(16, 18), "then the siblings");
    }

    @Test
    void shouldSpreadAcrossL3DomainsBeforeFillingOne() throws Exception
    {
        final CpuTopology ryzen = fixture("ryzen-7950x-16c-2ccd-smt");

        assertEquals(List.of(0, 8, 1, 9), ryzen.plan(AffinityMode.L3, 4));
        assertEquals("worker 0: cpu 0 (core 0, L3 0), worker 1: cpu 8 (core 8, L3 1)",
            ryzen.describe(ryzen.plan(AffinityMode.L3, 2)));
        final List<Integer> all = ryzen.plan(AffinityMode.L3, 32);
        assertEquals(32, new HashSet<>(all).size(), "every CPU once: " + all);
        assertTrue(all.subList(0, 16).stream().allMatch(cpu -> cpu < 16), "cores before siblings: " + all);
    }

    @Test
    void shouldSpreadAcrossTheEightCcdsOfAnEpyc() throws Exception
    {
        final CpuTopology epyc = fixture("epyc-7543p-32c-8ccd-smt");

        assertEquals(64, epyc.cpus().size());
        assertEquals(32, epyc.coreCount());
        assertEquals(8, epyc.l3DomainCount());
        assertEquals(List.of(0, 4, 8, 12, 16, 20, 24, 28, 1, 5), epyc.plan(AffinityMode.L3, 10));
        assertEquals(List.of(0, 1, 2, 3, 4), epyc.plan(AffinityMode.CORES, 5));
    }

    @Test
    void shouldFallBackToThePackageOnAVmThatDescribesNoCaches() throws Exception
    {
        final CpuTopology vm = fixture("vm-2vcpu");

        assertEquals(2, vm.coreCount());
        assertEquals(1, vm.l3DomainCount());
        assertEquals(List.of(0, 1), vm.plan(AffinityMode.CORES, 2));
        assertEquals(List.of(0, 1), vm.plan(AffinityMode.L3, 2));
        assertEquals(List.of(0, 1, 0, 1), vm.plan(AffinityMode.L3, 4), "more workers than CPUs wrap around");
    }

    @Test
    void shouldSkipOfflineCpus(@TempDir final Path root) throws Exception
    {
        for (int cpu = 0; cpu < 4; cpu++)
        {
            final Path topology = Files.createDirectories(root.resolve("cpu" + cpu).resolve("topology"));
            Files.writeString(topology.resolve("core_id"), cpu + "\n");
            Files.writeString(topology.resolve("physical_package_id"), "0\n");
            Files.writeString(topology.resolve("thread_siblings_list"), cpu + "\n");
        }
        Files.writeString(root.resolve("online"), "0-1,3\n");

        final CpuTopology topology = CpuTopology.read(root);

        assertEquals(List.of(0, 1, 3), topology.plan(AffinityMode.CORES, 3));
    }

    @Test
    void shouldParseKernelCpuListsAndRejectBadOnes() throws Exception
    {
        assertEquals(List.of(0, 1, 2, 3, 8, 16, 17), CpuTopology.parseCpuList("0-3,8,16-17\n"));
        assertEquals(List.of(), CpuTopology.parseCpuList(""));
        assertThrows(IOException.class, () -> CpuTopology.parseCpuList("3-1"));
        assertThrows(IOException.class, () -> CpuTopology.parseCpuList("a"));
    }

    @Test
    void shouldRejectADirectoryWithoutCpusAndUnknownModes(@TempDir final Path root) throws Exception
    {
        final CpuTopology vm = fixture("vm-2vcpu");
        assertThrows(IOException.class, () -> CpuTopology.read(root));
        assertThrows(IllegalArgumentException.class, () -> AffinityMode.parse("numa"));
        assertEquals(AffinityMode.L3, AffinityMode.parse("L3"));
        assertThrows(IllegalArgumentException.class, () -> vm.plan(AffinityMode.CORES, 0));
    }
}
