package io.tcpproxy.bench.report;

import java.util.Locale;

/**
 * How figures are written for people: {@code 83,394}, {@code 110μs}, {@code 2.4ms}, {@code 83 MB/s}.
 */
public final class Units
{
    private Units()
    {
    }

    /**
     * @param requestsPerSec a rate.
     * @return the rate rounded, with thousands separators.
     */
    public static String rps(final double requestsPerSec)
    {
        return String.format(Locale.ROOT, "%,d", Math.round(requestsPerSec));
    }

    /**
     * @param ns a latency.
     * @return the latency with 2-3 significant digits and a unit.
     */
    public static String latency(final long ns)
    {
        if (ns < 1_000)
        {
            return ns + "ns";
        }
        if (ns < 1_000_000)
        {
            return significant(ns / 1_000.0) + "μs";
        }
        if (ns < 1_000_000_000)
        {
            return significant(ns / 1_000_000.0) + "ms";
        }
        return significant(ns / 1_000_000_000.0) + "s";
    }

    /**
     * @param mbPerSec a throughput in 10^6 bytes per second.
     * @return e.g. {@code 83 MB/s} or {@code 5.5 MB/s}.
     */
    public static String throughput(final double mbPerSec)
    {
        return (mbPerSec < 1_000 ? significant(mbPerSec) : String.format(Locale.ROOT, "%,.0f", mbPerSec)) + " MB/s";
    }

    /**
     * @param us CPU microseconds per round trip.
     * @return e.g. {@code 12.3μs}, {@code -} when unknown.
     */
    public static String cpuPerRoundTrip(final double us)
    {
        return Double.isFinite(us) ? String.format(Locale.ROOT, us < 10 ? "%.2fμs" : "%.1fμs", us) : "-";
    }

    /**
     * @param ratio a ratio.
     * @return e.g. {@code 0.97×}.
     */
    public static String ratio(final double ratio)
    {
        return Double.isFinite(ratio) ? String.format(Locale.ROOT, "%.2f×", ratio) : "-";
    }

    /**
     * @param value a value.
     * @return the value with one decimal below 10 and none above.
     */
    public static String significant(final double value)
    {
        if (value < 10)
        {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }
}
