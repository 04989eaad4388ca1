package io.tcpproxy.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A console to hand to the proxy under test: what it prints is kept in memory (UTF-8) for assertions.
 */
public final class ConsoleBuffer
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    /**
     * @return the stream to print to (auto-flushing).
     */
    public PrintStream stream()
    {
        return stream;
    }

    /**
     * @return everything printed so far.
     */
    public String text()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * @param fragment to look for.
     * @return whether anything printed so far contains it.
     */
    public boolean contains(final String fragment)
    {
        return text().contains(fragment);
    }
}
