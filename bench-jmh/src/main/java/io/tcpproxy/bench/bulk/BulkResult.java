package io.tcpproxy.bench.bulk;

/**
 * One bulk transfer over one or more parallel connections.
 *
 * @param totalBytes payload bytes over all connections.
 * @param wallNs     from the first connection's first byte to the last connection's last byte.
 */
public record BulkResult(long totalBytes, long wallNs)
{
    /**
     * @return throughput in 10^9 bits per second.
     */
    public double gbitPerSec()
    {
        return totalBytes * 8.0 / wallNs;
    }

    /**
     * @return throughput in 10^6 bytes per second.
     */
    public double mbPerSec()
    {
        return totalBytes * 1000.0 / wallNs;
    }
}
