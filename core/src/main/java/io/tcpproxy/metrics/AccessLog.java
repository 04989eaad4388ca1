package io.tcpproxy.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The per-connection access log ({@code access_log}, {@code access_log_format}): one line per closed connection,
 * written by the metrics collector thread from the close events of the lossless rings, never by a worker. The
 * fields are documented in {@code docs/access-log.md}. A file is opened (append, created if missing) at
 * construction, so an unwritable path fails at start; {@link #reopen()} (for logrotate, hooked to SIGUSR1) makes the
 * collector reopen it before its next line.
 */
public final class AccessLog implements AutoCloseable
{
    /** The line format. */
    public enum Format
    {
        /** Modelled on HAProxy's {@code tcplog}. */
        TEXT,
        /** One JSON object per line. */
        JSON;

        /**
         * @param text {@code text} or {@code json}.
         * @return the format.
         */
        public static Format parse(final String text)
        {
            switch (text)
            {
                case "text":
                    return TEXT;
                case "json":
                    return JSON;
                default:
                    throw new IllegalArgumentException("access_log_format: expected \"text\" or \"json\", got \"" +
                        text + "\"");
            }
        }
    }

    private static final DateTimeFormatter TEXT_TIME =
        DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path path;
    private final Format format;
    private final StringBuilder line = new StringBuilder(256);
    private Writer out;
    private volatile boolean reopenRequested;
    private long failures;

    private AccessLog(final Path path, final Writer out, final Format format)
    {
        this.path = path;
        this.out = out;
        this.format = format;
    }

    /**
     * @param stream where lines go (e.g. {@code System.out}); not closed by {@link #close()}.
     * @param format line format.
     * @return a log to a stream (reopen does nothing).
     */
    public static AccessLog toStream(final PrintStream stream, final Format format)
    {
        return new AccessLog(null, new OutputStreamWriter(new NonClosing(stream), StandardCharsets.UTF_8), format);
    }

    /**
     * @param path   the file, appended to and created if missing.
     * @param format line format.
     * @return a log to that file.
     * @throws IOException when the file cannot be opened for writing (a config error at start).
     */
    public static AccessLog toFile(final Path path, final Format format) throws IOException
    {
        return new AccessLog(path, open(path), format);
    }

    /**
     * @param target {@code off}, {@code stdout} or a path (the values of {@code access_log}).
     * @param format line format.
     * @return the log, or null for {@code off}.
     * @throws IOException when a file cannot be opened for writing.
     */
    public static AccessLog open(final String target, final Format format) throws IOException
    {
        switch (target)
        {
            case "off":
                return null;
            case "stdout":
                return toStream(System.out, format);
            default:
                return toFile(Path.of(target), format);
        }
    }

    private static Writer open(final Path path) throws IOException
    {
        return new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(path, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8), 64 * 1024);
    }

    /** Reopen the file before the next line (after logrotate moved it). Safe from any thread, e.g. a signal. */
    public void reopen()
    {
        reopenRequested = true;
    }

    /** @return lines or flushes that failed to write (the collector goes on). */
    long failures()
    {
        return failures;
    }

    /**
     * Write one line (collector thread).
     *
     * @param record the closed connection.
     * @return false when writing failed.
     */
    boolean write(final AccessRecord record)
    {
        line.setLength(0);
        if (format == Format.TEXT)
        {
            text(record, line);
        }
        else
        {
            json(record, line);
        }
        line.append('\n');
        try
        {
            reopenIfAsked();
            out.append(line);
            return true;
        }
        catch (final IOException ex)
        {
            failures++;
            return false;
        }
    }

    /**
     * Push buffered lines out (collector thread, once per duty cycle that wrote).
     *
     * @return false when writing failed.
     */
    boolean flush()
    {
        try
        {
            reopenIfAsked();
            out.flush();
            return true;
        }
        catch (final IOException ex)
        {
            failures++;
            return false;
        }
    }

    private void reopenIfAsked() throws IOException
    {
        if (reopenRequested)
        {
            reopenRequested = false;
            if (null != path)
            {
                final Writer old = out;
                try
                {
                    old.flush();
                }
                finally
                {
                    old.close();
                }
                out = open(path);
            }
        }
    }

    /** Flush and close the file (a stream is only flushed). */
    public void close()
    {
        try
        {
            out.close();
        }
        catch (final IOException ex)
        {
            failures++;
        }
    }

    static void text(final AccessRecord r, final StringBuilder out)
    {
        out.append(r.client()).append(" [");
        TEXT_TIME.formatTo(Instant.ofEpochMilli(r.acceptedAtMs()), out);
        out.append("] w").append(r.worker()).append('/').append(null == r.upstream() ? "-" : r.upstream())
            .append(' ').append(r.connectNs() < 0 ? -1 : r.connectNs() / 1_000_000).append('/')
            .append(r.durationNs() / 1_000_000).append(' ').append(r.bytesUpstream()).append(' ')
            .append(r.bytesDownstream()).append(' ').append(terminationState(r)).append(' ')
            .append(r.reason().label()).append(' ').append(r.activeConnections());
    }

    /** HAProxy-style two letters: who ended it (C client, S server, P proxy), then when (C connect, D data). */
    static String terminationState(final AccessRecord r)
    {
        final char who = r.endedBy() == EndedBy.CLIENT ? 'C' : r.endedBy() == EndedBy.UPSTREAM ? 'S' : 'P';
        final char phase = r.connectNs() < 0 ? 'C' : 'D';
        return new String(new char[]{who, phase});
    }

    static void json(final AccessRecord r, final StringBuilder out)
    {
        out.append("{\"time\":\"").append(Instant.ofEpochMilli(r.acceptedAtMs() + r.durationNs() / 1_000_000))
            .append("\",\"accepted\":\"").append(Instant.ofEpochMilli(r.acceptedAtMs()))
            .append("\",\"client\":\"").append(r.client()).append("\",\"upstream\":");
        if (null == r.upstream())
        {
            out.append("null");
        }
        else
        {
            out.append('"').append(r.upstream()).append('"');
        }
        out.append(",\"worker\":").append(r.worker()).append(",\"connect_ms\":");
        if (r.connectNs() < 0)
        {
            out.append("null");
        }
        else
        {
            out.append(r.connectNs() / 1_000_000.0);
        }
        out.append(",\"duration_ms\":").append(r.durationNs() / 1_000_000.0)
            .append(",\"bytes_upstream\":").append(r.bytesUpstream())
            .append(",\"bytes_downstream\":").append(r.bytesDownstream())
            .append(",\"reason\":\"").append(r.reason().label())
            .append("\",\"ended_by\":\"").append(r.endedBy().name().toLowerCase(Locale.ROOT))
            .append("\",\"termination_state\":\"").append(terminationState(r))
            .append("\",\"active_connections\":").append(r.activeConnections()).append('}');
    }

    /** Keeps {@link #close()} from closing {@code System.out}. */
    private static final class NonClosing extends OutputStream
    {
        private final PrintStream stream;

        NonClosing(final PrintStream stream)
        {
            this.stream = stream;
        }

        @Override
        public void write(final int b)
        {
            stream.write(b);
        }

        @Override
        public void write(final byte[] b, final int off, final int len)
        {
            stream.write(b, off, len);
        }

        @Override
        public void flush()
        {
            stream.flush();
        }
    }
}
