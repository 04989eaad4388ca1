package io.tcpproxy.relay;

import io.tcpproxy.testsupport.Await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Collects the proxy's console lines in memory (UTF-8) for assertions.
 */
final class ConsoleCapture
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    PrintStream stream()
    {
        return stream;
    }

    String text()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    List<String> lines()
    {
        return text().lines().toList();
    }

    boolean contains(final String fragment)
    {
        return text().contains(fragment);
    }

    void awaitLine(final String fragment)
    {
        Await.until("a console line containing \"" + fragment + "\"", () -> contains(fragment), Await.DEFAULT_TIMEOUT,
            () -> "in:\n" + text());
    }
}
