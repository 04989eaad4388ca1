package io.tcpproxy.bench.process;

import io.tcpproxy.bench.report.Target;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Starts HAProxy and nginx ({@code stream}) in front of the echo server with settings equivalent to ours:
 * TCP mode, as many threads or workers as the proxy's workers, generous timeouts, loopback only. Their
 * configuration, pid and logs stay in the output directory, so no root paths are needed.
 */
public final class ExternalProxies
{
    private static final String NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";
    private static final String HAPROXY_MISSING = "--with-haproxy: haproxy is not installed (not on PATH nor in " +
        "/usr/sbin); install it with: sudo apt-get install haproxy";
    private static final String NGINX_MISSING = "--with-nginx: nginx is not installed (not on PATH nor in " +
        "/usr/sbin); install it with: sudo apt-get install nginx-light libnginx-mod-stream";
    private static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/sbin", "/usr/local/sbin");

    private ExternalProxies()
    {
    }

    /**
     * Fail before anything starts when a requested proxy is missing.
     *
     * @param haproxy true if HAProxy is wanted.
     * @param nginx   true if nginx is wanted.
     * @throws IOException saying what to install.
     */
    public static void requireInstalled(final boolean haproxy, final boolean nginx) throws IOException
    {
        if (haproxy && findExecutable("haproxy") == null)
        {
            throw new IOException(HAPROXY_MISSING);
        }
        if (nginx && findExecutable("nginx") == null)
        {
            throw new IOException(NGINX_MISSING);
        }
    }

    /**
     * Start those of HAProxy and nginx that are wanted, in front of one upstream.
     *
     * @param outDir       where their configuration and logs go.
     * @param children     where the processes are registered for stopping.
     * @param upstreamPort the port they forward to on 127.0.0.1.
     * @param workers      HAProxy's threads and nginx's worker processes.
     * @param haproxy      true to start HAProxy.
     * @param nginx        true to start nginx.
     * @return the targets {@code haproxy} and {@code nginx}, of those started, in that order.
     * @throws IOException when one is not installed or does not start.
     */
    public static List<Target> startRequested(
        final Path outDir,
        final Children children,
        final int upstreamPort,
        final int workers,
        final boolean haproxy,
        final boolean nginx) throws IOException
    {
        return startRequested(outDir, children, List.of(upstreamPort), workers, haproxy, nginx);
    }

    /**
     * Start those of HAProxy and nginx that are wanted, in front of one or more upstream servers (round robin over
     * several: HAProxy {@code balance roundrobin}, nginx's default).
     *
     * @param outDir        where their configuration and logs go.
     * @param children      where the processes are registered for stopping.
     * @param upstreamPorts the ports of the servers they forward to on 127.0.0.1, at least one.
     * @param workers       HAProxy's threads and nginx's worker processes.
     * @param haproxy       true to start HAProxy.
     * @param nginx         true to start nginx.
     * @return the targets {@code haproxy} and {@code nginx}, of those started, in that order.
     * @throws IOException when one is not installed or does not start.
     */
    public static List<Target> startRequested(
        final Path outDir,
        final Children children,
        final List<Integer> upstreamPorts,
        final int workers,
        final boolean haproxy,
        final boolean nginx) throws IOException
    {
        final List<Target> targets = new ArrayList<>();
        if (haproxy)
        {
            targets.add(new Target("haproxy", "127.0.0.1", startHaproxy(outDir, children, upstreamPorts, workers)));
        }
        if (nginx)
        {
            targets.add(new Target("nginx", "127.0.0.1", startNginx(outDir, children, upstreamPorts, workers)));
        }
        return targets;
    }

    /**
     * @param outDir   where the configuration and logs go.
     * @param children where the process is registered for stopping.
     * @param echoPort the echo server's port on 127.0.0.1.
     * @param workers  threads, at least 1.
     * @return HAProxy's port on 127.0.0.1.
     * @throws IOException when HAProxy is not installed or does not start.
     */
    public static int startHaproxy(final Path outDir, final Children children, final int echoPort, final int workers)
        throws IOException
    {
        return startHaproxy(outDir, children, List.of(echoPort), workers);
    }

    /**
     * @param outDir    where the configuration and logs go.
     * @param children  where the process is registered for stopping.
     * @param echoPorts the echo servers' ports on 127.0.0.1, at least one.
     * @param workers   threads, at least 1.
     * @return HAProxy's port on 127.0.0.1.
     * @throws IOException when HAProxy is not installed or does not start.
     */
    public static int startHaproxy(
        final Path outDir, final Children children, final List<Integer> echoPorts, final int workers)
        throws IOException
    {
        final Path haproxy = findExecutable("haproxy");
        if (haproxy == null)
        {
            throw new IOException(HAPROXY_MISSING);
        }
        final int port = LoopbackPorts.freePort();
        final Path config = outDir.resolve("haproxy.cfg");
        Files.writeString(config, haproxyConfig(port, echoPorts, workers, haproxyMaxConnections()),
            StandardCharsets.UTF_8);
        final ChildProcess child = children.add(ChildProcess.start(
            "haproxy", List.of(haproxy.toString(), "-db", "-f", config.toString()), outDir.resolve("haproxy.log")));
        LoopbackPorts.awaitListening(child, port, ProxyLauncher.STARTUP_TIMEOUT_NS);
        return port;
    }

    /**
     * HAProxy's configuration: one {@code server} line per echo server; with several, {@code balance roundrobin}.
     */
    static String haproxyConfig(final int port, final List<Integer> echoPorts, final int workers, final int maxConnections)
    {
        requireServers(echoPorts);
        final StringBuilder config = new StringBuilder(String.format(Locale.ROOT,
            "# written by tcp-proxy bench: HAProxy with settings equivalent to tcp-proxy's\n" +
            "global\n" +
            "    nbthread %d\n" +
            "    maxconn %d\n" +
            "\n" +
            "defaults\n" +
            "    mode tcp\n" +
            "    timeout connect 5s\n" +
            "    timeout client 10m\n" +
            "    timeout server 10m\n" +
            "\n" +
            "frontend bench\n" +
            "    bind 127.0.0.1:%d\n" +
            "    default_backend echo\n" +
            "\n" +
            "backend echo\n",
            Math.max(1, workers), maxConnections, port));
        if (echoPorts.size() == 1)
        {
            config.append("    server echo 127.0.0.1:").append(echoPorts.get(0)).append('\n');
            return config.toString();
        }
        config.append("    balance roundrobin\n");
        for (int i = 0; i < echoPorts.size(); i++)
        {
            config.append("    server echo").append(i + 1).append(" 127.0.0.1:").append(echoPorts.get(i)).append('\n');
        }
        return config.toString();
    }

    /**
     * @param outDir   where the configuration, pid and logs go (also nginx's prefix).
     * @param children where the process is registered for stopping.
     * @param echoPort the echo server's port on 127.0.0.1.
     * @param workers  worker processes, at least 1.
     * @return nginx's port on 127.0.0.1.
     * @throws IOException when nginx is not installed or does not start.
     */
    public static int startNginx(final Path outDir, final Children children, final int echoPort, final int workers)
        throws IOException
    {
        return startNginx(outDir, children, List.of(echoPort), workers);
    }

    /**
     * @param outDir    where the configuration, pid and logs go (also nginx's prefix).
     * @param children  where the process is registered for stopping.
     * @param echoPorts the echo servers' ports on 127.0.0.1, at least one.
     * @param workers   worker processes, at least 1.
     * @return nginx's port on 127.0.0.1.
     * @throws IOException when nginx is not installed or does not start.
     */
    public static int startNginx(
        final Path outDir, final Children children, final List<Integer> echoPorts, final int workers)
        throws IOException
    {
        final Path nginx = findExecutable("nginx");
        if (nginx == null)
        {
            throw new IOException(NGINX_MISSING);
        }
        final int port = LoopbackPorts.freePort();
        final Path prefix = outDir.toAbsolutePath();
        final Path config = prefix.resolve("nginx.conf");
        final String streamModule = Files.isRegularFile(Path.of(NGINX_STREAM_MODULE)) ? NGINX_STREAM_MODULE : null;
        Files.writeString(config, nginxConfig(streamModule, prefix, port, echoPorts, workers), StandardCharsets.UTF_8);
        final ChildProcess child = children.add(ChildProcess.start(
            "nginx",
            List.of(nginx.toString(), "-p", prefix + File.separator, "-e", prefix.resolve("nginx-error.log").toString(),
                "-c", config.toString()),
            outDir.resolve("nginx.log")));
        LoopbackPorts.awaitListening(child, port, ProxyLauncher.STARTUP_TIMEOUT_NS);
        return port;
    }

    /**
     * nginx's configuration: {@code proxy_pass} to the one echo server, or to an {@code upstream} block listing
     * several (nginx's default balancing, weighted round robin).
     *
     * @param streamModule the stream module to load, or null when it is built in.
     */
    static String nginxConfig(
        final String streamModule, final Path prefix, final int port, final List<Integer> echoPorts, final int workers)
    {
        requireServers(echoPorts);
        final StringBuilder upstream = new StringBuilder();
        final String proxyPass;
        if (echoPorts.size() == 1)
        {
            proxyPass = "127.0.0.1:" + echoPorts.get(0);
        }
        else
        {
            upstream.append("    upstream echo {\n");
            for (final int echoPort : echoPorts)
            {
                upstream.append("        server 127.0.0.1:").append(echoPort).append(";\n");
            }
            upstream.append("    }\n\n");
            proxyPass = "echo";
        }
        return String.format(Locale.ROOT,
            "# written by tcp-proxy bench: nginx stream with settings equivalent to tcp-proxy's\n" +
            "%s" +
            "worker_processes %d;\n" +
            "daemon off;\n" +
            "pid %s;\n" +
            "error_log %s warn;\n" +
            "\n" +
            "events {\n" +
            "    worker_connections 20000;\n" +
            "}\n" +
            "\n" +
            "stream {\n" +
            "%s" +
            "    server {\n" +
            "        listen 127.0.0.1:%d;\n" +
            "        proxy_pass %s;\n" +
            "        proxy_connect_timeout 5s;\n" +
            "        proxy_timeout 10m;\n" +
            "        tcp_nodelay on;\n" +
            "        # forward a client's FIN and keep relaying the other way, as tcp-proxy and HAProxy do\n" +
            "        proxy_half_close on;\n" +
            "    }\n" +
            "}\n",
            streamModule == null ? "" : "load_module " + streamModule + ";\n", Math.max(1, workers),
            prefix.resolve("nginx.pid"), prefix.resolve("nginx-error.log"), upstream, port, proxyPass);
    }

    private static void requireServers(final List<Integer> ports)
    {
        if (ports.isEmpty())
        {
            throw new IllegalArgumentException("at least one upstream server is needed");
        }
    }

    /**
     * HAProxy refuses to start when {@code maxconn} needs more descriptors than the hard limit it inherits
     * (two per proxied connection), so ask for what the limit allows, up to 20000.
     */
    static int haproxyMaxConnections()
    {
        final long hardLimit = openFilesHardLimit();
        return (int)Math.max(256, Math.min(20_000, (hardLimit - 256) / 2));
    }

    private static long openFilesHardLimit()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("Max open files"))
                {
                    final String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                    return "unlimited".equals(fields[1]) ? Long.MAX_VALUE : Long.parseLong(fields[1]);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or an unexpected format: fall through to a limit most hosts allow
        }
        return 4096;
    }

    /**
     * @param name a program name.
     * @return its path on PATH or in the usual system directories, or null.
     */
    public static Path findExecutable(final String name)
    {
        final String path = System.getenv("PATH");
        if (path != null)
        {
            for (final String dir : path.split(File.pathSeparator))
            {
                final Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate) && Files.isRegularFile(candidate))
                {
                    return candidate;
                }
            }
        }
        for (final String dir : SYSTEM_DIRS)
        {
            final Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && Files.isRegularFile(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
