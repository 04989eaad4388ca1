package io.tcpproxy.bench.bulk;

/**
 * A {@code bulk} or {@code bulk-server} command line that cannot be run; the message says what is expected.
 */
public final class BulkUsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and what is expected.
     */
    public BulkUsageException(final String message)
    {
        super(message);
    }
}
