package io.tcpproxy.bench.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose output (stdout and stderr together) is copied line by line to a log file, kept
 * for {@link #awaitLine}, and optionally echoed to the console.
 */
public final class ChildProcess implements AutoCloseable
{
    private static final String END_OF_OUTPUT = new String("<end of output>");
    private static final int TAIL_LINES = 40;
    private static final long STOP_GRACE_MS = 5_000;

    private final String name;
    private final Process process;
    private final Path logFile;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private volatile PrintStream console;

    private ChildProcess(final String name, final Process process, final Path logFile)
    {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * @param name    a short name for messages, e.g. {@code echo}.
     * @param command the program and its arguments.
     * @param logFile where its output goes.
     * @return the started process.
     * @throws IOException when it cannot be started.
     */
    public static ChildProcess start(final String name, final List<String> command, final Path logFile)
        throws IOException
    {
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        final ChildProcess child = new ChildProcess(name, process, logFile);
        final Thread pump = new Thread(child::pump, name + "-output");
        pump.setDaemon(true);
        pump.start();
        return child;
    }

    /**
     * @return the short name.
     */
    public String name()
    {
        return name;
    }

    /**
     * @return the log file of its output.
     */
    public Path logFile()
    {
        return logFile;
    }

    /**
     * @return true while it runs.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @param timeoutNs how long to wait at most.
     * @return true if it has exited.
     * @throws InterruptedException when interrupted.
     */
    public boolean awaitExit(final long timeoutNs) throws InterruptedException
    {
        return process.waitFor(timeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * @return the operating system's process id.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @param console where to echo its output from now on, or null to stop echoing.
     */
    public void echoTo(final PrintStream console)
    {
        this.console = console;
    }

    /**
     * Wait for an output line the predicate accepts.
     *
     * @param match       what is awaited.
     * @param timeoutNs   how long to wait.
     * @param description what is awaited, for the error message.
     * @return the first matching line.
     * @throws IOException when the process ends or the time runs out first; the message has its last lines.
     * @throws InterruptedException when interrupted.
     */
    public String awaitLine(final Predicate<String> match, final long timeoutNs, final String description)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            final String line = remainingNs > 0 ? lines.poll(remainingNs, TimeUnit.NANOSECONDS) : null;
            if (line == null)
            {
                throw new IOException(name + " did not print " + description + " within " +
                    TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s; its last output:\n" + tail());
            }
            if (END_OF_OUTPUT == line)
            {
                process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
                throw new IOException(name + " exited" + (process.isAlive() ? "" : " with code " +
                    process.exitValue()) + " before printing " + description + "; its last output:\n" + tail());
            }
            if (match.test(line))
            {
                return line;
            }
        }
    }

    /**
     * @return its last lines of output.
     */
    public String tail()
    {
        synchronized (tail)
        {
            return tail.isEmpty() ? "  (no output)" : "  " + String.join("\n  ", tail);
        }
    }

    /**
     * Ask it to stop (SIGTERM), and kill it if it has not stopped within a few seconds.
     */
    public void close()
    {
        if (!process.isAlive())
        {
            return;
        }
        process.destroy();
        try
        {
            if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void pump()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                log.write(line);
                log.write('\n');
                log.flush();
                synchronized (tail)
                {
                    if (tail.size() == TAIL_LINES)
                    {
                        tail.removeFirst();
                    }
                    tail.addLast(line);
                }
                lines.add(line);
                final PrintStream out = console;
                if (out != null)
                {
                    out.println("[" + name + "] " + line);
                }
            }
        }
        catch (final IOException ex)
        {
            synchronized (tail)
            {
                tail.addLast("(output unreadable: " + ex + ")");
            }
        }
        finally
        {
            lines.add(END_OF_OUTPUT);
        }
    }
}
