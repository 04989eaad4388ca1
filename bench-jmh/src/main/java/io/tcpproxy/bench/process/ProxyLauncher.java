package io.tcpproxy.bench.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts the proxy's own processes from its runnable jar, {@code $TCP_PROXY_HOME/cli/target/tcp-proxy.jar},
 * with the JVM flags of {@code $TCP_PROXY_HOME/jvm.options} (one per line, {@code #} comments) and
 * {@code $TCP_PROXY_JAVA_OPTS}, exactly as the launcher script runs them.
 */
public final class ProxyLauncher
{
    /** Time a child has to print its listening line. */
    public static final long STARTUP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private static final String ECHO_MARKER = "echo server listening on ";
    private static final String PROXY_MARKER = "listening on ";
    private static final String METRICS_MARKER = "metrics on ";

    private final Path home;

    /**
     * The proxy's addresses once it runs.
     *
     * @param process    the running proxy.
     * @param port       where clients connect.
     * @param metricsUrl the metrics URL it printed, or null.
     */
    public record StartedProxy(ChildProcess process, int port, String metricsUrl)
    {
    }

    /**
     * @param home the repository or installation directory.
     */
    public ProxyLauncher(final Path home)
    {
        this.home = home;
    }

    /**
     * @param explicitHome a directory given on the command line, or null.
     * @return it, else the {@code tcpproxy.home} system property, else {@code $TCP_PROXY_HOME}, else the
     * current directory.
     */
    public static Path resolveHome(final String explicitHome)
    {
        String home = explicitHome;
        if (home == null || home.isBlank())
        {
            home = System.getProperty("tcpproxy.home");
        }
        if (home == null || home.isBlank())
        {
            home = System.getenv("TCP_PROXY_HOME");
        }
        if (home == null || home.isBlank())
        {
            home = ".";
        }
        return Path.of(home).toAbsolutePath().normalize();
    }

    /**
     * @return the home directory.
     */
    public Path home()
    {
        return home;
    }

    /**
     * @return the proxy's runnable jar.
     */
    public Path proxyJar()
    {
        return home.resolve("cli").resolve("target").resolve("tcp-proxy.jar");
    }

    /**
     * @return the JVM flags of {@code jvm.options} (none when the file is missing), then those of
     * {@code $TCP_PROXY_JAVA_OPTS}, as the launcher script reads them.
     * @throws IOException when the file exists but cannot be read.
     */
    public List<String> jvmFlags() throws IOException
    {
        final Path file = home.resolve("jvm.options");
        final List<String> flags = new ArrayList<>();
        if (Files.isRegularFile(file))
        {
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final int comment = line.indexOf('#');
                final String flag = (comment < 0 ? line : line.substring(0, comment)).strip();
                if (!flag.isEmpty())
                {
                    flags.add(flag);
                }
            }
        }
        final String extra = System.getenv("TCP_PROXY_JAVA_OPTS");
        if (extra != null && !extra.isBlank())
        {
            flags.addAll(List.of(extra.strip().split("\\s+")));
        }
        return flags;
    }

    /**
     * Start {@code tcp-proxy.jar echo --listen 127.0.0.1:0}.
     *
     * @param children where the process is registered for stopping.
     * @param logDir   where its log goes.
     * @return its port.
     * @throws IOException          when it cannot start or does not say where it listens.
     * @throws InterruptedException when interrupted.
     */
    public int startEcho(final Children children, final Path logDir) throws IOException, InterruptedException
    {
        return startEcho(children, logDir, "echo");
    }

    /**
     * Start one more echo server under its own name.
     *
     * @param name the child's name, also its log file's ({@code NAME.log}).
     * @return its port.
     * @throws IOException          when it cannot start or does not say where it listens.
     * @throws InterruptedException when interrupted.
     * @see #startEcho(Children, Path)
     */
    public int startEcho(final Children children, final Path logDir, final String name)
        throws IOException, InterruptedException
    {
        final List<String> command = javaCommand();
        command.addAll(List.of("echo", "--listen", "127.0.0.1:0"));
        final ChildProcess echo = children.add(ChildProcess.start(name, command, logDir.resolve(name + ".log")));
        final String line = echo.awaitLine(
            candidate -> candidate.contains(ECHO_MARKER), STARTUP_TIMEOUT_NS, "'" + ECHO_MARKER + "HOST:PORT'");
        return portOf(addressAfter(line, ECHO_MARKER), line);
    }

    /**
     * Start {@code tcp-proxy.jar run} in front of the echo server.
     *
     * @param children    where the process is registered for stopping.
     * @param logDir      where its log goes.
     * @param listen      its listen address, e.g. {@code 127.0.0.1:0}.
     * @param echoPort    the echo server's port on 127.0.0.1.
     * @param metricsAddr its metrics address, e.g. {@code 127.0.0.1:0}.
     * @param workers     its selector threads, 0 for its default.
     * @param logEvents   {@code off}, {@code connections} or {@code all}.
     * @return where it listens.
     * @throws IOException          when it cannot start or does not say where it listens.
     * @throws InterruptedException when interrupted.
     */
    public StartedProxy startProxy(
        final Children children,
        final Path logDir,
        final String listen,
        final int echoPort,
        final String metricsAddr,
        final int workers,
        final String logEvents) throws IOException, InterruptedException
    {
        return startProxy(children, logDir, "proxy", listen, echoPort, metricsAddr, workers, logEvents, List.of());
    }

    /**
     * Start {@code tcp-proxy.jar run} in front of the echo server with further arguments, e.g.
     * {@code --config FILE} (the flags given here win over the file's keys).
     *
     * @param name      the child's name, also its log file's ({@code NAME.log}).
     * @param extraArgs arguments after the others.
     * @return where it listens.
     * @throws IOException          when it cannot start or does not say where it listens.
     * @throws InterruptedException when interrupted.
     * @see #startProxy(Children, Path, String, int, String, int, String)
     */
    public StartedProxy startProxy(
        final Children children,
        final Path logDir,
        final String name,
        final String listen,
        final int echoPort,
        final String metricsAddr,
        final int workers,
        final String logEvents,
        final List<String> extraArgs) throws IOException, InterruptedException
    {
        return launchProxy(children, logDir, name, listen, List.of("--target", "127.0.0.1:" + echoPort), metricsAddr,
            workers, logEvents, extraArgs);
    }

    /**
     * Start {@code tcp-proxy.jar run} in front of several echo servers: a configuration file in {@code logDir} with
     * one {@code [[upstream]]} per server and {@code balance = "round_robin"}; with one server, {@code --target}.
     *
     * @param echoPorts the echo servers' ports on 127.0.0.1, at least one.
     * @return where it listens.
     * @throws IOException          when it cannot start or does not say where it listens.
     * @throws InterruptedException when interrupted.
     * @see #startProxy(Children, Path, String, int, String, int, String)
     */
    public StartedProxy startProxy(
        final Children children,
        final Path logDir,
        final String listen,
        final List<Integer> echoPorts,
        final String metricsAddr,
        final int workers,
        final String logEvents) throws IOException, InterruptedException
    {
        if (echoPorts.size() == 1)
        {
            return startProxy(children, logDir, listen, echoPorts.get(0), metricsAddr, workers, logEvents);
        }
        final Path config = logDir.resolve("proxy-upstreams.toml");
        Files.writeString(config, upstreamsToml(echoPorts), StandardCharsets.UTF_8);
        return launchProxy(children, logDir, "proxy", listen, List.of("--config", config.toString()), metricsAddr,
            workers, logEvents, List.of());
    }

    /**
     * The proxy's pool of echo servers: smooth weighted round robin, as HAProxy's {@code balance roundrobin} and
     * nginx's default.
     */
    static String upstreamsToml(final List<Integer> echoPorts)
    {
        if (echoPorts.isEmpty())
        {
            throw new IllegalArgumentException("at least one upstream server is needed");
        }
        final StringBuilder toml = new StringBuilder("# written by tcp-proxy bench: one pool of echo servers\n")
            .append("balance = \"round_robin\"\n");
        for (final int echoPort : echoPorts)
        {
            toml.append("\n[[upstream]]\naddr = \"127.0.0.1:").append(echoPort).append("\"\n");
        }
        return toml.toString();
    }

    private StartedProxy launchProxy(
        final Children children,
        final Path logDir,
        final String name,
        final String listen,
        final List<String> upstreamArgs,
        final String metricsAddr,
        final int workers,
        final String logEvents,
        final List<String> extraArgs) throws IOException, InterruptedException
    {
        final List<String> command = javaCommand();
        command.addAll(List.of("run", "--listen", listen));
        command.addAll(upstreamArgs);
        command.addAll(List.of(
            "--metrics-addr", metricsAddr,
            "--log-events", logEvents,
            "--metrics-log-interval-secs", "0"));
        if (workers > 0)
        {
            command.addAll(List.of("--workers", Integer.toString(workers)));
        }
        command.addAll(extraArgs);
        final ChildProcess proxy = children.add(ChildProcess.start(name, command, logDir.resolve(name + ".log")));
        final String line = proxy.awaitLine(
            candidate -> candidate.contains("tcp-proxy " + PROXY_MARKER), STARTUP_TIMEOUT_NS,
            "'tcp-proxy " + PROXY_MARKER + "HOST:PORT, ...'");
        final int port = portOf(addressAfter(line, PROXY_MARKER), line);
        final int metricsAt = line.indexOf(METRICS_MARKER);
        final String metricsUrl = metricsAt < 0 ? null : addressAfter(line, METRICS_MARKER);
        return new StartedProxy(proxy, port, metricsUrl);
    }

    /**
     * @return the running JVM's java and the flags, then {@code -jar tcp-proxy.jar}.
     * @throws IOException when the jar is missing or jvm.options is unreadable.
     */
    public List<String> javaCommand() throws IOException
    {
        final Path jar = proxyJar();
        if (!Files.isRegularFile(jar))
        {
            throw new IOException("the proxy jar " + jar + " does not exist; build it first " +
                "(./tcp-proxy builds it, or: mvn -q -DskipTests package) or set TCP_PROXY_HOME to the repository");
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    static String addressAfter(final String line, final String marker)
    {
        final int start = line.indexOf(marker) + marker.length();
        int end = start;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end)) && line.charAt(end) != ',')
        {
            end++;
        }
        return line.substring(start, end);
    }

    static int portOf(final String address, final String line) throws IOException
    {
        String text = address;
        final int scheme = text.indexOf("://");
        if (scheme >= 0)
        {
            text = text.substring(scheme + 3);
            final int slash = text.indexOf('/');
            text = slash < 0 ? text : text.substring(0, slash);
        }
        final int colon = text.lastIndexOf(':');
        try
        {
            final int port = Integer.parseInt(text.substring(colon + 1));
            if (colon < 0 || port < 1 || port > 65535)
            {
                throw new NumberFormatException(text);
            }
            return port;
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("cannot read a port from \"" + line + "\"", ex);
        }
    }
}
