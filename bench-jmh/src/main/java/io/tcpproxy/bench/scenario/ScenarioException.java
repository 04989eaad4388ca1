package io.tcpproxy.bench.scenario;

/**
 * A scenario file that cannot be used; the message names the file, line, column and key, and what is expected.
 */
public final class ScenarioException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, where, and what is expected.
     */
    public ScenarioException(final String message)
    {
        super(message);
    }
}
