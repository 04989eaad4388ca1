package io.tcpproxy.cli.reliability;

import io.tcpproxy.cli.JarProcess;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tcp-proxy} (the shaded jar, started by {@link JarProcess}) in a child process, optionally under a prefix such
 * as {@code prlimit}; the addresses it bound are read from its startup line.
 */
final class ProxyChild implements AutoCloseable
{
    static final Duration AWAIT = Duration.ofSeconds(30);
    /** A JVM's start on a saturated 2-core machine has been seen to take over 30 s. */
    private static final Duration STARTUP_AWAIT = Duration.ofSeconds(90);
    private static final Pattern STARTUP = Pattern.compile(
        "tcp-proxy listening on 127\\.0\\.0\\.1:(\\d+), forwarding to \\S+, (?:metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics|metrics disabled)" +
        "(?:, .*)?");

    private final JarProcess process;
    private int port;
    private int metricsPort;

    private ProxyChild(final JarProcess process)
    {
        this.process = process;
    }

    /** Start {@code prefix... java -jar tcp-proxy.jar args...} in this JVM's directory without waiting for anything. */
    static ProxyChild launch(final List<String> prefix, final String... args) throws IOException
    {
        return new ProxyChild(JarProcess.start(Path.of("").toAbsolutePath(), prefix, args));
    }

    /** Start the proxy and wait for its startup line. */
    static ProxyChild start(final List<String> prefix, final String... args) throws IOException
    {
        final ProxyChild child = launch(prefix, args);
        final Matcher startup = child.awaitStdout(STARTUP, STARTUP_AWAIT);
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

    /** @return the next stdout line (within {@link #AWAIT}) matching the whole pattern; earlier lines are skipped. */
    Matcher awaitStdout(final Pattern pattern)
    {
        return awaitStdout(pattern, AWAIT);
    }

    private Matcher awaitStdout(final Pattern pattern, final Duration timeout)
    {
        try
        {
            return process.awaitStdoutLine(pattern, timeout);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    int awaitExit()
    {
        return process.awaitExit(AWAIT);
    }

    /** Send a signal by name (TERM, HUP) with kill(1). */
    void signal(final String name) throws IOException, InterruptedException
    {
        process.signal(name);
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
        return process.stdoutLines();
    }

    List<String> stderrLines()
    {
        return process.stderrLines();
    }

    String describe()
    {
        return process.describeOutput();
    }

    public void close()
    {
        process.close();
    }
}
