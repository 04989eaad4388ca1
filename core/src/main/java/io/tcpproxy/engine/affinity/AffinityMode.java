package io.tcpproxy.engine.affinity;

import java.util.Locale;

/**
 * How {@code cpu_affinity} places workers on a machine it has read the topology of.
 */
public enum AffinityMode
{
    /** One worker per physical core, skipping SMT siblings until every core has one. */
    CORES,
    /** Spread across L3 cache domains (a Ryzen CCD/CCX, an EPYC CCD) before filling one; a physical core each. */
    L3;

    /**
     * @param value {@code "cores"} or {@code "l3"}.
     * @return the mode.
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static AffinityMode parse(final String value)
    {
        return switch (value.toLowerCase(Locale.ROOT))
        {
            case "cores" -> CORES;
            case "l3" -> L3;
            default -> throw new IllegalArgumentException(
                "cpu_affinity expects true, false, \"cores\" or \"l3\", got \"" + value + "\"");
        };
    }
}
