package io.tcpproxy.bench.idle;

/**
 * An {@code idle-check} command line that cannot be run; the message says what is expected.
 */
public final class IdleUsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong and what is expected.
     */
    public IdleUsageException(final String message)
    {
        super(message);
    }
}
