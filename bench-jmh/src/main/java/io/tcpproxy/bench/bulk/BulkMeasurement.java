package io.tcpproxy.bench.bulk;

/**
 * One transfer of one case through one target in one run: a result, or the error that ended it.
 *
 * @param run    1-based run number.
 * @param bulkCase what was moved.
 * @param target the target's name.
 * @param result the bytes and time, or null on error.
 * @param error  what went wrong, or null.
 * @param cpuMsPerGib CPU time of the target's process (tree) during the transfer per GiB moved, in milliseconds;
 *                    NaN when not measured.
 */
record BulkMeasurement(int run, BulkCase bulkCase, String target, BulkResult result, String error, double cpuMsPerGib)
{
    BulkMeasurement(final int run, final BulkCase bulkCase, final String target, final BulkResult result,
        final String error)
    {
        this(run, bulkCase, target, result, error, Double.NaN);
    }
}
