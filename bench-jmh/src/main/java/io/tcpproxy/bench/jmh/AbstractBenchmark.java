package io.tcpproxy.bench.jmh;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What every tcp-proxy microbenchmark shares, so results are comparable: one fork running with the JVM flags of
 * {@code jvm.options} (fixed heap, parallel collector) plus the export Agrona 2 needs, a short warm-up and
 * measurement (the reference machine has two shared cores, so long runs buy little), and average time in
 * nanoseconds unless a benchmark overrides it. JMH's class-level annotations are inherited, so a subclass only
 * states what differs.
 * <p>
 * Every benchmark is meant to be run with {@code -prof gc}; see {@code bench-jmh/JMH.md}.
 */
@Fork(value = 1, jvmArgsAppend = {
    AbstractBenchmark.AGRONA_ADD_EXPORTS,
    "-Xms256m",
    "-Xmx256m",
    "-XX:+AlwaysPreTouch",
    "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class AbstractBenchmark
{
    /** Agrona 2 reaches {@code jdk.internal.misc.Unsafe}; every JVM running proxy code needs this. */
    public static final String AGRONA_ADD_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    /**
     * @return a console for code under test that prints lines nobody should read during a measurement.
     */
    public static PrintStream quietConsole()
    {
        return new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    }
}
