package io.tcpproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scenario files for the load generator: the top-level keys, then one {@code [[scenario]]} table per scenario.
 */
final class ScenarioToml
{
    private ScenarioToml()
    {
    }

    /**
     * @param file to write.
     * @param topLevel lines before the first table (each ending in a newline), or "".
     * @param scenarios tables from {@link #scenario}.
     * @return {@code file}.
     * @throws IOException when it cannot be written.
     */
    static Path write(final Path file, final String topLevel, final String... scenarios) throws IOException
    {
        Files.writeString(file, topLevel + String.join("", scenarios));
        return file;
    }

    /**
     * @param name of the scenario.
     * @param connections how many.
     * @param size of a message, e.g. {@code 64B}.
     * @param moreLines further keys of the table.
     * @return the {@code [[scenario]]} table.
     */
    static String scenario(final String name, final int connections, final String size, final String... moreLines)
    {
        final StringBuilder table = new StringBuilder("[[scenario]]\nname = \"").append(name)
            .append("\"\nconnections = ").append(connections)
            .append("\nsize = \"").append(size).append("\"\n");
        for (final String line : moreLines)
        {
            table.append(line).append('\n');
        }
        return table.toString();
    }
}
