package io.tcpproxy.bench.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;

/**
 * Where and with what a run was measured, for the captions of charts and reports: machine (CPU model, cores),
 * JDK, project version and date.
 *
 * @param cpuModel the CPU model, e.g. {@code AMD EPYC 7B13}.
 * @param cores    the processors this JVM may use.
 * @param jdk      e.g. {@code JDK 17.0.9 (Eclipse Adoptium)}.
 * @param version  the project version, e.g. {@code 0.1.0}.
 */
public record RunInfo(String cpuModel, int cores, String jdk, String version)
{
    /**
     * @return the facts of this machine and JVM.
     */
    public static RunInfo current()
    {
        return new RunInfo(cpuModel(Path.of("/proc/cpuinfo")), Runtime.getRuntime().availableProcessors(),
            "JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")", projectVersion());
    }

    /**
     * @param date when the run started.
     * @return e.g. {@code AMD EPYC 7B13, 2 cores · JDK 17.0.9 (Eclipse Adoptium) · tcp-proxy 0.1.0 · 2026-12-01}.
     */
    public String caption(final Instant date)
    {
        return cpuModel + ", " + cores + (cores == 1 ? " core" : " cores") + " · " + jdk + " · tcp-proxy " + version +
            " · " + date.atOffset(ZoneOffset.UTC).toLocalDate();
    }

    static String cpuModel(final Path cpuinfo)
    {
        try
        {
            for (final String line : Files.readAllLines(cpuinfo, StandardCharsets.UTF_8))
            {
                // x86: "model name"; arm64: no model name, but "CPU part"/"Hardware" vary, so fall back to the arch
                if (line.startsWith("model name"))
                {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux: the architecture is all we know
        }
        return System.getProperty("os.arch");
    }

    private static String projectVersion()
    {
        try (InputStream in = RunInfo.class.getResourceAsStream("version.properties"))
        {
            if (in != null)
            {
                final Properties properties = new Properties();
                properties.load(in);
                final String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.startsWith("$"))
                {
                    return version;
                }
            }
        }
        catch (final IOException ex)
        {
            // fall through
        }
        return "(unknown version)";
    }
}
