package io.tcpproxy.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shaded jar running in a child process, with its output collected line by line. Shared by the CLI tests and the
 * reliability battery's {@code ProxyChild}.
 */
public final class JarProcess implements AutoCloseable
{
    static final Path JAR = Path.of(System.getProperty("tcpproxy.jar", "target/tcp-proxy.jar")).toAbsolutePath();
    /** Generous: a JVM start alone can take tens of seconds on a 2-core machine shared by many builds. */
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Path PERL = Path.of("/usr/bin/perl");
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Process process;
    private final String commandLine;
    private final BlockingQueue<String> unreadStdoutLines = new LinkedBlockingQueue<>();
    private final List<String> stdoutLines = new ArrayList<>();
    private final List<String> stderrLines = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private JarProcess(final Process process, final String commandLine)
    {
        this.process = process;
        this.commandLine = commandLine;
        stdoutReader = reader(process.getInputStream(), stdoutLines, unreadStdoutLines, "stdout");
        stderrReader = reader(process.getErrorStream(), stderrLines, null, "stderr");
    }

    /**
     * Start {@code java -jar tcp-proxy.jar args...} in a directory (which decides what ./proxy.toml is).
     */
    static JarProcess start(final Path workDir, final String... args) throws IOException
    {
        return start(workDir, List.of(), args);
    }

    /**
     * As {@link #start(Path, String...)}, with the command run through a prefix such as
     * {@code prlimit --nofile=N:N --}, which must exec it in the same process so {@link #pid()} stays the JVM's.
     */
    public static JarProcess start(final Path workDir, final List<String> prefix, final String... args)
        throws IOException
    {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar is missing (run mvn verify): " + JAR);
        final List<String> javaArgs = new ArrayList<>(List.of("-jar", JAR.toString()));
        javaArgs.addAll(List.of(args));
        return launch(workDir, prefix, "DEFAULT", javaArgs, String.join(" ", args));
    }

    /**
     * As {@link #start(Path, String...)}, but with SIGINT ignored, as a non-interactive shell starts a background job.
     */
    static JarProcess startWithSigintIgnored(final Path workDir, final String... args) throws IOException
    {
        final List<String> javaArgs = new ArrayList<>(List.of("-jar", JAR.toString()));
        javaArgs.addAll(List.of(args));
        return launch(workDir, List.of(), "IGNORE", javaArgs, String.join(" ", args));
    }

    /**
     * Run a main class of this module's tests with the shaded jar on the class path (e.g. an embedding program).
     */
    static JarProcess startMain(final Path workDir, final Class<?> mainClass, final String... args) throws IOException
    {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar is missing (run mvn verify): " + JAR);
        final Path testClasses = Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().getPath());
        final List<String> javaArgs = new ArrayList<>(List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", testClasses + java.io.File.pathSeparator + JAR, mainClass.getName()));
        javaArgs.addAll(List.of(args));
        return launch(workDir, List.of(), "DEFAULT", javaArgs, mainClass.getSimpleName() + " " + String.join(" ", args));
    }

    private static JarProcess launch(final Path workDir, final List<String> prefix, final String sigint,
        final List<String> javaArgs, final String commandLine) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        // A non-interactive shell starts background jobs with SIGINT ignored (and nohup ignores SIGHUP), and an
        // ignored signal stays ignored in every child (the JVM then leaves it so). Perl sets them (to the default, or
        // SIGINT ignored on purpose) before exec'ing the JVM (same pid), so the signal tests behave the same however
        // the build was started.
        assertTrue(Files.isExecutable(PERL), "the signal tests need " + PERL + " (Debian: perl-base)");
        command.add(PERL.toString());
        command.add("-e");
        command.add("$SIG{INT} = '" + sigint + "'; $SIG{HUP} = 'DEFAULT'; exec { $ARGV[0] } @ARGV or die \"exec: $!\";");
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.addAll(javaArgs);
        final Process process = new ProcessBuilder(command).directory(workDir.toFile()).start();
        process.getOutputStream().close();
        return new JarProcess(process, commandLine);
    }

    /**
     * Run to completion.
     */
    static JarProcess runToExit(final Path workDir, final String... args) throws IOException
    {
        final JarProcess jar = start(workDir, args);
        jar.awaitExit(TIMEOUT);
        return jar;
    }

    /** @return the JVM's process id. */
    public long pid()
    {
        return process.pid();
    }

    /**
     * Wait for the next stdout line matching a pattern (earlier lines are skipped).
     *
     * @return the matcher of the matching line.
     */
    public Matcher awaitStdoutLine(final Pattern pattern, final Duration timeout) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final boolean outputEnded = !stdoutReader.isAlive();
            final long remainingNs = deadlineNs - System.nanoTime();
            final String line = remainingNs > 0 ?
                unreadStdoutLines.poll(Math.min(remainingNs, POLL_NS), TimeUnit.NANOSECONDS) : null;
            if (line == null)
            {
                if (outputEnded || remainingNs <= 0)
                {
                    fail("no stdout line matching /" + pattern + "/ " +
                        (outputEnded ? "before the process closed stdout" : "within " + timeout) +
                        " from `" + commandLine + "`" + describeOutput());
                }
                continue;
            }
            final Matcher matcher = pattern.matcher(line);
            if (matcher.matches())
            {
                return matcher;
            }
        }
    }

    /**
     * Wait for the process to exit.
     *
     * @return its exit status.
     */
    public int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                fail("`" + commandLine + "` still running after " + timeout + describeOutput());
            }
            stdoutReader.join(timeout.toMillis());
            stderrReader.join(timeout.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return process.exitValue();
    }

    int exitValue()
    {
        return process.exitValue();
    }

    /** @return whether the process still runs. */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Send a signal by name (INT, TERM, HUP, USR1) with kill(1), as a user would.
     */
    public void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill did not finish");
        assertTrue(kill.exitValue() == 0, "kill -" + name + " failed");
    }

    /** @return stderr so far, line by line. */
    public List<String> stderrLines()
    {
        synchronized (stderrLines)
        {
            return new ArrayList<>(stderrLines);
        }
    }

    /** @return stdout so far, line by line. */
    public List<String> stdoutLines()
    {
        synchronized (stdoutLines)
        {
            return new ArrayList<>(stdoutLines);
        }
    }

    String stdout()
    {
        return String.join("\n", stdoutLines());
    }

    /** @return stdout and stderr so far, for a failure message. */
    public String describeOutput()
    {
        return "\n--- stdout ---\n" + String.join("\n", stdoutLines()) +
            "\n--- stderr ---\n" + String.join("\n", stderrLines());
    }

    /** Kill the process if it still runs. */
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread reader(
        final InputStream in, final List<String> lines, final BlockingQueue<String> queue, final String name)
    {
        final Thread thread = new Thread(() ->
        {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                    if (queue != null)
                    {
                        queue.add(line);
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        }, "jar-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
