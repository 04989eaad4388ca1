package io.tcpproxy.bench.cpu;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU used by a target up to a moment, or between two moments.
 *
 * @param totalNs user + system CPU time of the whole process (or tree).
 * @param groupNs CPU time by thread group, empty when not broken down.
 */
public record CpuSample(long totalNs, Map<String, Long> groupNs)
{
    /**
     * @param earlier a sample taken before this one.
     * @return the CPU used between the two.
     */
    public CpuSample minus(final CpuSample earlier)
    {
        final Map<String, Long> groups = new LinkedHashMap<>();
        for (final Map.Entry<String, Long> group : groupNs.entrySet())
        {
            // a thread that ended in between takes its time out of its group's sum: never below zero
            groups.put(group.getKey(), Math.max(0, group.getValue() - earlier.groupNs.getOrDefault(group.getKey(), 0L)));
        }
        return new CpuSample(totalNs - earlier.totalNs, groups);
    }
}
