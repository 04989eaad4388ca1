package io.tcpproxy.cli.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code tcp-proxy} (the shaded jar) in a child process, optionally under a prefix such as {@code prlimit}, with its
 * output kept line by line; the addresses it bound are read from its startup line.
 */
final class ProxyChild implements AutoCloseable
{
    static final Path JAR = Path.of(System.getProperty("tcpproxy.jar", "target/tcp-proxy.jar")).toAbsolutePath();
    static final Duration AWAIT = Duration.ofSeconds(30);
    private static final Pattern STARTUP = Pattern.compile(
        "tcp-proxy listening on 127\\.0\\.0\\.1:(\\d+), forwarding to \\S+, (?:metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics|metrics disabled)(?:, .*)?");

    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private int port;
    private int metricsPort;

    private ProxyChild(final Process process)
    {
        this.process = process;
        this.stdoutReader = reader(process.getInputStream(), stdout, "stdout");
        this.stderrReader = reader(process.getErrorStream(), stderr, "stderr");
    }

    /** Start {@code prefix... java -jar tcp-proxy.jar args...} without waiting for anything. */
    static ProxyChild launch(final List<String> prefix, final String... args) throws IOException
    {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar is missing (run mvn verify): " + JAR);
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        return new ProxyChild(process);
    }

    /** Start the proxy and wait for its startup line. */
    static ProxyChild start(final List<String> prefix, final String... args) throws IOException
    {
        final ProxyChild child = launch(prefix, args);
        final Matcher startup = child.awaitStdout(STARTUP);
        child.port = Integer.parseInt(startup.group(1));
        child.metricsPort = startup.group(2) == null ? -1 : Integer.parseInt(startup.group(2));
        return child;
    }

    static ProxyChild start(final String... args) throws IOException
    {
        return start(List.of(), args);
    }

    int port()
    {
        return port;
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress("127.0.0.1", port);
    }

    int metricsPort()
    {
        return metricsPort;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /** @return the first stdout line (so far or within {@link #AWAIT}) matching the whole pattern. */
    Matcher awaitStdout(final Pattern pattern)
    {
        final long deadlineNs = System.nanoTime() + AWAIT.toNanos();
        int seen = 0;
        while (true)
        {
            final List<String> lines = stdoutLines();
            for (; seen < lines.size(); seen++)
            {
                final Matcher matcher = pattern.matcher(lines.get(seen));
                if (matcher.matches())
                {
                    return matcher;
                }
            }
            final boolean ended = !stdoutReader.isAlive();
            if (ended && seen == stdoutLines().size() || System.nanoTime() - deadlineNs >= 0)
            {
                fail("no stdout line matching /" + pattern + "/" + (ended ? " before the output ended" : "") +
                    describe());
            }
            sleepMs(20);
        }
    }

    int awaitExit()
    {
        try
        {
            if (!process.waitFor(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
            {
                fail("still running after " + AWAIT + describe());
            }
            stdoutReader.join(AWAIT.toMillis());
            stderrReader.join(AWAIT.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
        return process.exitValue();
    }

    /** Send a signal by name (TERM, HUP) with kill(1). */
    void signal(final String name) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
            .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill did not finish");
        assertTrue(kill.exitValue() == 0, "kill -" + name + " failed");
    }

    /** @return the child's open descriptors ({@code /proc/PID/fd}). */
    long openFds() throws IOException
    {
        try (var fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd")))
        {
            return fds.count();
        }
    }

    List<String> stdoutLines()
    {
        synchronized (stdout)
        {
            return new ArrayList<>(stdout);
        }
    }

    List<String> stderrLines()
    {
        synchronized (stderr)
        {
            return new ArrayList<>(stderr);
        }
    }

    String describe()
    {
        return "\n--- stdout ---\n" + String.join("\n", stdoutLines()) + "\n--- stderr ---\n" +
            String.join("\n", stderrLines());
    }

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

    static void sleepMs(final long ms)
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    private static Thread reader(final InputStream in, final List<String> lines, final String name)
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
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone
            }
        }, "proxy-child-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
