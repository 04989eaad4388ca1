package io.tcpproxy.bench.bulk;

/**
 * One transfer of one case through one target in one run: a result, or the error that ended it.
 *
 * @param run    1-based run number.
 * @param bulkCase what was moved.
 * @param target the target's name.
 * @param result the bytes and time, or null on error.
 * @param error  what went wrong, or null.
 */
record BulkMeasurement(int run, BulkCase bulkCase, String target, BulkResult result, String error)
{
}
