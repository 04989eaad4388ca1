package io.tcpproxy.bench.cpu;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JcmdThreadNamesTest
{
    @Test
    void shouldMapHexAndDecimalNidsToFullNames()
    {
        final String jdk17 = String.join("\n",
            "2026-12-01 16:30:00",
            "Full thread dump OpenJDK 64-Bit Server VM (17.0.9+9 mixed mode, sharing):",
            "",
            "\"tcp-proxy-metrics-http\" #15 daemon prio=5 os_prio=0 cpu=12.50ms elapsed=10.01s tid=0x00007f nid=0x5d4 runnable  [0x00007f]",
            "   java.lang.Thread.State: RUNNABLE",
            "\"tcp-proxy-metrics\" #14 prio=5 os_prio=0 cpu=1.00ms elapsed=10.01s tid=0x00007f nid=0x5d3 waiting on condition",
            "\"C2 CompilerThread0\" #6 daemon prio=9 os_prio=0 cpu=900ms elapsed=10s tid=0x00007f nid=0x5c0 waiting on condition  [0x0]",
            "\"VM Thread\" os_prio=0 cpu=3.26ms elapsed=10.02s tid=0x00007f nid=0x5bd runnable",
            "");
        final String jdk21 = "\"tcp-proxy-worker-0\" #20 [1500] prio=5 os_prio=0 cpu=5ms elapsed=1s tid=0x00007f nid=1500 runnable\n";

        final Map<Long, String> names = JcmdThreadNames.parse(jdk17);
        assertEquals("tcp-proxy-metrics-http", names.get(0x5d4L));
        assertEquals("tcp-proxy-metrics", names.get(0x5d3L));
        assertEquals("C2 CompilerThread0", names.get(0x5c0L));
        assertEquals("VM Thread", names.get(0x5bdL));
        assertEquals(4, names.size());
        assertEquals(Map.of(1500L, "tcp-proxy-worker-0"), JcmdThreadNames.parse(jdk21));
    }

    @Test
    void shouldClassifyTheProxysThreadsAndTheJvms()
    {
        assertEquals(ThreadGroups.WORKERS, ThreadGroups.classify("tcp-proxy-worker-12"));
        assertEquals(ThreadGroups.WORKERS, ThreadGroups.classify("tcp-proxy-acceptor"));
        assertEquals(ThreadGroups.COLLECTOR, ThreadGroups.classify("tcp-proxy-metrics"));
        assertEquals(ThreadGroups.HTTP, ThreadGroups.classify("tcp-proxy-metrics-http"));
        assertEquals(ThreadGroups.METRICS, ThreadGroups.classify("tcp-proxy-metri"));
        assertEquals(ThreadGroups.JIT, ThreadGroups.classify("C2 CompilerThread1"));
        assertEquals(ThreadGroups.JIT, ThreadGroups.classify("C1 CompilerThre"));
        assertEquals(ThreadGroups.GC, ThreadGroups.classify("G1 Conc#0"));
        assertEquals(ThreadGroups.GC, ThreadGroups.classify("GC Thread#3"));
        assertEquals(ThreadGroups.OTHER, ThreadGroups.classify("VM Thread"));
        assertEquals(ThreadGroups.OTHER, ThreadGroups.classify("main"));
    }
}
