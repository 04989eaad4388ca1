package io.tcpproxy.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the access log goes ({@code access_log}): nowhere ({@code "off"}), standard output ({@code "stdout"}) or a
 * file (any other string, a path). A file path is checked when the configuration is built: it must be writable,
 * or creatable in an existing writable directory.
 */
public final class AccessLog
{
    /** Where the lines go. */
    public enum Target
    {
        /** No access log. */
        OFF,
        /** Standard output. */
        STDOUT,
        /** A file, appended to. */
        FILE
    }

    /** No access log. */
    public static final AccessLog OFF = new AccessLog(Target.OFF, null);
    /** Standard output. */
    public static final AccessLog STDOUT = new AccessLog(Target.STDOUT, null);

    static final String EXPECTED = "\"off\", \"stdout\" or the path of a writable file";

    private final Target target;
    private final Path path;

    private AccessLog(final Target target, final Path path)
    {
        this.target = target;
        this.path = path;
    }

    /**
     * @param text "off", "stdout" or a file path.
     * @return the access log setting.
     * @throws IllegalArgumentException when the path cannot be written.
     */
    public static AccessLog parse(final String text)
    {
        final String trimmed = text.trim();
        if (trimmed.equals("off"))
        {
            return OFF;
        }
        if (trimmed.equals("stdout"))
        {
            return STDOUT;
        }
        if (trimmed.isEmpty())
        {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"\"");
        }
        final Path file = Path.of(trimmed);
        final String problem = writeProblem(file);
        if (problem != null)
        {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\" (" + problem + ")");
        }
        return new AccessLog(Target.FILE, file);
    }

    private static String writeProblem(final Path file)
    {
        if (Files.isDirectory(file))
        {
            return "it is a directory";
        }
        if (Files.exists(file))
        {
            return Files.isWritable(file) ? null : "the file is not writable";
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent))
        {
            return "directory " + parent + " does not exist";
        }
        return Files.isWritable(parent) ? null : "directory " + parent + " is not writable";
    }

    /** @return where the lines go. */
    public Target target()
    {
        return target;
    }

    /** @return the file for {@link Target#FILE}, else null. */
    public Path path()
    {
        return path;
    }

    public boolean equals(final Object o)
    {
        return o instanceof AccessLog && ((AccessLog)o).target == target && Objects.equals(((AccessLog)o).path, path);
    }

    public int hashCode()
    {
        return target.hashCode() * 31 + Objects.hashCode(path);
    }

    /** @return the setting as written in TOML. */
    public String toString()
    {
        return target == Target.FILE ? path.toString() : target.name().toLowerCase(java.util.Locale.ROOT);
    }
}
