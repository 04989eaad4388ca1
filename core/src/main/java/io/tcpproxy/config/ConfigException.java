package io.tcpproxy.config;

/**
 * A configuration that cannot be used: the message names the key, the line (when read from a file) and what
 * was expected. The proxy refuses to start on any of them.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final int line;

    /**
     * @param key     the configuration key at fault, or null when the error is not about one key (e.g. syntax).
     * @param line    1-based line in the file, or 0 when not from a file.
     * @param message what is wrong and what was expected.
     */
    public ConfigException(final String key, final int line, final String message)
    {
        super(message);
        this.key = key;
        this.line = line;
    }

    /**
     * @return the key at fault, or null.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return 1-based line in the file, or 0 when not from a file.
     */
    public int line()
    {
        return line;
    }
}
