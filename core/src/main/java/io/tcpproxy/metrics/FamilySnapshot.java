package io.tcpproxy.metrics;

import java.util.List;

/**
 * A family and its series at one instant, in the order the series were first counted.
 *
 * @param family     the declaration.
 * @param prometheus whether the Prometheus text includes it (the per-client table is JSON-only unless
 *                   {@code metrics_client_labels} is on).
 * @param samples    its series.
 */
public record FamilySnapshot(MetricFamily family, boolean prometheus, List<Sample> samples)
{
    /**
     * @param labelValues the series' label values.
     * @return the series, or null if it does not exist.
     */
    public Sample sample(final String... labelValues)
    {
        final List<String> wanted = List.of(labelValues);
        for (int i = 0, n = samples.size(); i < n; i++)
        {
            final Sample sample = samples.get(i);
            if (sample.labelValues().equals(wanted))
            {
                return sample;
            }
        }
        return null;
    }
}
