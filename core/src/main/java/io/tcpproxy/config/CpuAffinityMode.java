package io.tcpproxy.config;

/**
 * Where workers run ({@code cpu_affinity}): written {@code false}, {@code true}, {@code "cores"} or {@code "l3"}.
 */
public enum CpuAffinityMode
{
    /** {@code false}: the kernel schedules the workers (the default). */
    OFF,
    /** {@code true}: worker k on CPU k (modulo the CPU count), whatever the machine's shape. */
    BY_INDEX,
    /** {@code "cores"}: one worker per physical core, SMT siblings only once every core has one. */
    CORES,
    /** {@code "l3"}: spread across L3 cache domains (a Ryzen CCD, an EPYC CCD) before filling one. */
    L3;

    /**
     * @return the value as written in {@code proxy.toml}: {@code false}, {@code true}, {@code "cores"} or
     *     {@code "l3"}.
     */
    public String tomlText()
    {
        return switch (this)
        {
            case OFF -> "false";
            case BY_INDEX -> "true";
            case CORES -> "\"cores\"";
            case L3 -> "\"l3\"";
        };
    }
}
