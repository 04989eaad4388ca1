package io.tcpproxy.bench.bulk;

/**
 * One cell row of the bulk table: a direction, a number of parallel connections and the bytes each moves.
 *
 * @param direction          which way the bytes flow.
 * @param connections        parallel connections.
 * @param bytesPerConnection payload bytes per connection.
 */
record BulkCase(Direction direction, int connections, long bytesPerConnection)
{
    /**
     * @return e.g. {@code upload 4 × 1 GiB}.
     */
    String label()
    {
        return direction.label() + " " + connections + " × " + BulkOptions.formatSize(bytesPerConnection);
    }
}
