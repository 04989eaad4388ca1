package io.tcpproxy.bench.cpu;

import java.util.List;

/**
 * Which part of tcp-proxy a thread belongs to, by its name: the proxy names its threads {@code tcp-proxy-worker-N},
 * {@code tcp-proxy-acceptor}, {@code tcp-proxy-metrics} (the collector) and {@code tcp-proxy-metrics-http}; HotSpot
 * names its compiler threads {@code C1 CompilerThread0}/{@code C2 CompilerThread0} and its GC threads
 * {@code GC Thread#0}, {@code G1 Conc#0}, {@code G1 Refine#0}, {@code G1 Main Marker}, ...
 */
public final class ThreadGroups
{
    /** The relay: workers and the acceptor. */
    public static final String WORKERS = "workers";
    /** The metrics collector. */
    public static final String COLLECTOR = "collector";
    /** The metrics HTTP endpoint. */
    public static final String HTTP = "http";
    /** The JIT compiler threads. */
    public static final String JIT = "jit";
    /** The garbage collector's threads. */
    public static final String GC = "gc";
    /** The collector or the HTTP endpoint, when only the 15-character {@code comm} name is known. */
    public static final String METRICS = "collector+http";
    /** Everything else: main, VM thread, signal dispatcher, resolver, ... */
    public static final String OTHER = "other";
    /** Every group, in report order. */
    public static final List<String> GROUPS = List.of(WORKERS, COLLECTOR, HTTP, METRICS, JIT, GC, OTHER);

    private ThreadGroups()
    {
    }

    /**
     * @param name a Java thread name, or a {@code comm} name (cut to 15 characters by the kernel).
     * @return its group.
     */
    public static String classify(final String name)
    {
        if (name.startsWith("tcp-proxy-worke") || name.startsWith("tcp-proxy-accep"))
        {
            return WORKERS;
        }
        if (name.equals("tcp-proxy-metrics-http"))
        {
            return HTTP;
        }
        if (name.equals("tcp-proxy-metrics"))
        {
            return COLLECTOR;
        }
        if (name.startsWith("tcp-proxy-metri"))
        {
            return METRICS;
        }
        if (name.contains("CompilerThre") || name.startsWith("C1 ") || name.startsWith("C2 "))
        {
            return JIT;
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("ZGC") || name.startsWith("Z ") ||
            name.startsWith("Shenandoah") || name.contains("GC Thread"))
        {
            return GC;
        }
        return OTHER;
    }
}
