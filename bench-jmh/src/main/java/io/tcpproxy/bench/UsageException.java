package io.tcpproxy.bench;

/**
 * A command line that cannot be run; the message says what is expected.
 */
final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    UsageException(final String message)
    {
        super(message);
    }
}
