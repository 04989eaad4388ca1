package io.tcpproxy.bench.tls;

import io.tcpproxy.Proxy;
import io.tcpproxy.bench.process.ChildProcess;
import io.tcpproxy.bench.process.Children;
import io.tcpproxy.bench.process.ExternalProxies;
import io.tcpproxy.bench.process.LoopbackPorts;
import io.tcpproxy.bench.process.ProxyLauncher;
import io.tcpproxy.config.TomlConfigLoader;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TLS handshakes + a 1 KiB echo per second through a proxy that routes by server name, against HAProxy
 * ({@code req.ssl_sni}) and nginx ({@code ssl_preread}) where installed, all in front of the same two Java TLS echo
 * servers (pool {@code api}: alpha.test, pool {@code web}: beta.test), in one run with one client. Loopback only;
 * every process it starts is stopped before it returns.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench-jmh/target/tcp-proxy-bench.jar \
 *     io.tcpproxy.bench.tls.SniHandshakeBench [--keystores DIR] [--seconds S] [--rounds N] [--threads N]
 *     [--workers N] [--out DIR]
 * </pre>
 */
public final class SniHandshakeBench
{
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final int MESSAGE_BYTES = 1024;
    private static final List<String> SERVER_NAMES = List.of("api.test", "web.test");

    private SniHandshakeBench()
    {
    }

    /**
     * @param args see the class comment.
     * @throws Exception when a target does not start or the key stores cannot be read.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new LinkedHashMap<>(Map.of(
            "--keystores", "core/src/test/resources/tls", "--seconds", "3", "--rounds", "3", "--threads", "4",
            "--workers", "2", "--out", "bench-results/sni"));
        for (int i = 0; i < args.length; i += 2)
        {
            if (!options.containsKey(args[i]) || i + 1 >= args.length)
            {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: " +
                    options.keySet());
            }
            options.put(args[i], args[i + 1]);
        }
        final Path keystores = Path.of(options.get("--keystores"));
        final long passNs = TimeUnit.SECONDS.toNanos(Long.parseLong(options.get("--seconds")));
        final int rounds = Integer.parseInt(options.get("--rounds"));
        final int threads = Integer.parseInt(options.get("--threads"));
        final int workers = Integer.parseInt(options.get("--workers"));
        final Path outDir = Files.createDirectories(Path.of(options.get("--out")).toAbsolutePath());

        final KeyStore alpha = load(keystores, "alpha");
        final KeyStore beta = load(keystores, "beta");
        final SSLContext client = clientTrusting(alpha, beta);
        final List<X500Principal> subjects = List.of(subject(alpha, "alpha"), subject(beta, "beta"));
        final HandshakeClient handshakes = new HandshakeClient(client, SERVER_NAMES, subjects, threads, MESSAGE_BYTES);

        try (TlsEchoBackend api = new TlsEchoBackend(server(alpha), "api", 2 * threads, MESSAGE_BYTES);
            TlsEchoBackend web = new TlsEchoBackend(server(beta), "web", 2 * threads, MESSAGE_BYTES);
            Proxy proxy = Proxy.start(TomlConfigLoader.parse(proxyToml(api.port(), web.port(), workers), "sni-bench")
                .build(), new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
            Children children = new Children())
        {
            final Map<String, List<InetSocketAddress>> targets = new LinkedHashMap<>();
            targets.put("direct", List.of(loopback(api.port()), loopback(web.port())));
            targets.put("tcp-proxy", twice(proxy.localAddress()));
            if (ExternalProxies.findExecutable("haproxy") != null)
            {
                targets.put("haproxy", twice(loopback(startHaproxy(outDir, children, api.port(), web.port(), workers))));
            }
            else
            {
                System.out.println("haproxy: not installed, skipped");
            }
            if (ExternalProxies.findExecutable("nginx") != null)
            {
                targets.put("nginx", twice(loopback(startNginx(outDir, children, api.port(), web.port(), workers))));
            }
            else
            {
                System.out.println("nginx: not installed, skipped");
            }
            System.out.printf(Locale.ROOT, "%d client threads, %d s per pass, %d rounds, proxies with %d workers/threads%n",
                threads, passNs / 1_000_000_000L, rounds, workers);

            for (final Map.Entry<String, List<InetSocketAddress>> target : targets.entrySet())
            {
                final HandshakeClient.Pass warmup = handshakes.run(target.getValue(), passNs);
                System.out.printf(Locale.ROOT, "warm-up %-10s %8.0f /s%s%n", target.getKey(), warmup.perSecond(),
                    problems(warmup));
            }
            final Map<String, List<Double>> rates = new LinkedHashMap<>();
            final List<String> names = new ArrayList<>(targets.keySet());
            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < names.size(); k++)
                {
                    final String name = names.get((k + round) % names.size()); // the first target rotates
                    final HandshakeClient.Pass pass = handshakes.run(targets.get(name), passNs);
                    rates.computeIfAbsent(name, (n) -> new ArrayList<>()).add(pass.perSecond());
                    System.out.printf(Locale.ROOT, "round %d %-10s %8.0f /s (%d in %.2f s)%s%n", round + 1, name,
                        pass.perSecond(), pass.completed, pass.elapsedNs / 1e9, problems(pass));
                }
            }
            final double proxyMedian = median(rates.get("tcp-proxy"));
            System.out.println();
            System.out.println("| target | handshakes + 1 KiB echo /s (median) | tcp-proxy / target |");
            System.out.println("| --- | ---: | ---: |");
            for (final String name : names)
            {
                final double median = median(rates.get(name));
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f |%n", name, median, proxyMedian / median);
            }
        }
    }

    private static String problems(final HandshakeClient.Pass pass)
    {
        return pass.failed == 0 && pass.misrouted == 0 ? "" :
            String.format(Locale.ROOT, "  FAILED %d, MISROUTED %d, first error: %s", pass.failed, pass.misrouted,
                pass.firstError);
    }

    private static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String proxyToml(final int apiPort, final int webPort, final int workers)
    {
        return String.join("\n",
            "listen_addr = \"127.0.0.1:0\"",
            "metrics_addr = \"\"",
            "workers = " + workers,
            "log_events = \"off\"",
            "metrics_log_interval_secs = 0",
            "sni_default_pool = \"web\"",
            "[[upstream]]",
            "addr = \"127.0.0.1:" + apiPort + "\"",
            "pool = \"api\"",
            "[[upstream]]",
            "addr = \"127.0.0.1:" + webPort + "\"",
            "pool = \"web\"",
            "[[route]]",
            "sni = [\"api.test\"]",
            "pool = \"api\"",
            "[[route]]",
            "sni = [\"web.test\"]",
            "pool = \"web\"",
            "");
    }

    private static int startHaproxy(final Path outDir, final Children children, final int apiPort, final int webPort,
        final int workers) throws IOException
    {
        final int port = LoopbackPorts.freePort();
        final Path config = outDir.resolve("haproxy-sni.cfg");
        Files.writeString(config, String.format(Locale.ROOT,
            "global\n" +
            "    nbthread %d\n" +
            "    maxconn 4096\n" +
            "defaults\n" +
            "    mode tcp\n" +
            "    timeout connect 5s\n" +
            "    timeout client 30s\n" +
            "    timeout server 30s\n" +
            "frontend sni\n" +
            "    bind 127.0.0.1:%d\n" +
            "    tcp-request inspect-delay 5s\n" +
            "    tcp-request content accept if { req.ssl_hello_type 1 }\n" +
            "    use_backend api if { req.ssl_sni -i api.test }\n" +
            "    use_backend web if { req.ssl_sni -i web.test }\n" +
            "    default_backend web\n" +
            "backend api\n" +
            "    server api 127.0.0.1:%d\n" +
            "backend web\n" +
            "    server web 127.0.0.1:%d\n",
            workers, port, apiPort, webPort), StandardCharsets.UTF_8);
        final ChildProcess child = children.add(ChildProcess.start("haproxy",
            List.of(ExternalProxies.findExecutable("haproxy").toString(), "-db", "-f", config.toString()),
            outDir.resolve("haproxy-sni.log")));
        LoopbackPorts.awaitListening(child, port, ProxyLauncher.STARTUP_TIMEOUT_NS);
        return port;
    }

    private static int startNginx(final Path outDir, final Children children, final int apiPort, final int webPort,
        final int workers) throws IOException
    {
        final int port = LoopbackPorts.freePort();
        final Path config = outDir.resolve("nginx-sni.conf");
        final String module = "/usr/lib/nginx/modules/ngx_stream_module.so";
        Files.writeString(config, String.format(Locale.ROOT,
            "%s" +
            "worker_processes %d;\n" +
            "daemon off;\n" +
            "pid %s;\n" +
            "error_log %s warn;\n" +
            "events {\n" +
            "    worker_connections 4096;\n" +
            "}\n" +
            "stream {\n" +
            "    map $ssl_preread_server_name $sni_pool {\n" +
            "        api.test api;\n" +
            "        default web;\n" +
            "    }\n" +
            "    upstream api {\n" +
            "        server 127.0.0.1:%d;\n" +
            "    }\n" +
            "    upstream web {\n" +
            "        server 127.0.0.1:%d;\n" +
            "    }\n" +
            "    server {\n" +
            "        listen 127.0.0.1:%d;\n" +
            "        ssl_preread on;\n" +
            "        proxy_pass $sni_pool;\n" +
            "        proxy_connect_timeout 5s;\n" +
            "        proxy_timeout 30s;\n" +
            "        tcp_nodelay on;\n" +
            "    }\n" +
            "}\n",
            Files.isRegularFile(Path.of(module)) ? "load_module " + module + ";\n" : "", workers,
            outDir.resolve("nginx-sni.pid"), outDir.resolve("nginx-sni-error.log"), apiPort, webPort, port),
            StandardCharsets.UTF_8);
        final ChildProcess child = children.add(ChildProcess.start("nginx",
            List.of(ExternalProxies.findExecutable("nginx").toString(), "-p", outDir + File.separator,
                "-e", outDir.resolve("nginx-sni-error.log").toString(), "-c", config.toString()),
            outDir.resolve("nginx-sni.log")));
        LoopbackPorts.awaitListening(child, port, ProxyLauncher.STARTUP_TIMEOUT_NS);
        return port;
    }

    private static InetSocketAddress loopback(final int port)
    {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static List<InetSocketAddress> twice(final InetSocketAddress address)
    {
        return List.of(address, address);
    }

    private static KeyStore load(final Path dir, final String name) throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12")))
        {
            store.load(in, PASSWORD);
        }
        return store;
    }

    private static X500Principal subject(final KeyStore store, final String alias) throws Exception
    {
        return ((X509Certificate)store.getCertificate(alias)).getSubjectX500Principal();
    }

    private static SSLContext server(final KeyStore store) throws Exception
    {
        final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext clientTrusting(final KeyStore alpha, final KeyStore beta) throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("alpha", alpha.getCertificate("alpha"));
        trusted.setCertificateEntry("beta", beta.getCertificate("beta"));
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        context.getClientSessionContext().setSessionCacheSize(64); // never resumed (fresh peer hosts): keep it small
        return context;
    }
}
