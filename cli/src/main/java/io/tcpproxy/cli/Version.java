package io.tcpproxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version, from a resource the build fills in (so it is right both in the jar and in tests run from classes).
 */
final class Version
{
    private Version()
    {
    }

    static String text()
    {
        final Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties"))
        {
            if (in != null)
            {
                properties.load(in);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return properties.getProperty("version", "unknown");
    }
}
