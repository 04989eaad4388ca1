package io.tcpproxy.metrics;

import java.util.List;

/**
 * One series of a family at one instant.
 *
 * @param labelValues the label values, in the order of the family's label names.
 * @param value       the value of an integer or boolean family (0 for others).
 * @param doubleValue the value of a floating-point family.
 * @param histogram   the buckets of a histogram family, else null.
 */
public record Sample(List<String> labelValues, long value, double doubleValue, HistogramSnapshot histogram)
{
}
