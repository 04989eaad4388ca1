package io.tcpproxy.engine;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's log: lines for the proxy's console, written by a thread of its own so that a stalled console (a
 * pipe nobody reads) never stalls a worker; when the queue is full a line is dropped rather than waited for. Errors
 * are also counted: the count is what {@code tcp_proxy_internal_errors_total} exports.
 */
public final class EngineLog implements AutoCloseable
{
    private static final int QUEUE_LINES = 256;
    private static final String END = new String("end of log");
    private static final long CLOSE_WAIT_MS = TimeUnit.SECONDS.toMillis(1);

    private final PrintStream console;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(QUEUE_LINES);
    private final AtomicLong internalErrors = new AtomicLong();
    private final AtomicLong droppedLines = new AtomicLong();
    private final Thread writer;

    EngineLog(final PrintStream console)
    {
        this.console = console;
        this.writer = new Thread(this::writeLines, "tcp-proxy-log");
        writer.setDaemon(true); // never holds the JVM open, even when the console is stalled
        writer.start();
    }

    void info(final String message)
    {
        enqueue("[INFO] " + message);
    }

    /** A line with a tag of its own ({@code [HEALTH] ...}). */
    public void line(final String line)
    {
        enqueue(line);
    }

    public void warn(final String message)
    {
        enqueue("[WARN] " + message);
    }

    /** An unexpected fault inside the proxy: logged and counted. */
    void error(final String message)
    {
        internalErrors.incrementAndGet();
        enqueue("[ERROR] " + message);
    }

    /** @return internal errors so far (never decreases). */
    long internalErrors()
    {
        return internalErrors.get();
    }

    /** @return lines dropped because the console did not keep up. */
    long droppedLines()
    {
        return droppedLines.get();
    }

    private void enqueue(final String line)
    {
        if (!lines.offer(line))
        {
            droppedLines.incrementAndGet();
        }
    }

    private void writeLines()
    {
        try
        {
            for (String line = lines.take(); line != END; line = lines.take())
            {
                console.println(line);
            }
        }
        catch (final InterruptedException ex)
        {
            // closing with the console stalled
        }
    }

    /** Write what is queued (waiting a moment at most), then stop the writer thread. */
    public void close()
    {
        try
        {
            if (!lines.offer(END, CLOSE_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                writer.interrupt();
            }
            writer.join(CLOSE_WAIT_MS);
            if (writer.isAlive())
            {
                writer.interrupt();
            }
        }
        catch (final InterruptedException ex)
        {
            writer.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
