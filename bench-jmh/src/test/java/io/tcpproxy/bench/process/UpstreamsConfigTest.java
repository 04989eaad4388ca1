package io.tcpproxy.bench.process;

import io.tcpproxy.config.Balance;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.TomlConfigLoader;
import io.tcpproxy.config.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The configurations {@code bench --upstreams N} writes for the proxy, HAProxy and nginx: every server listed once,
 * round robin everywhere; and with one server the text of the single-server benchmarks, unchanged. Where HAProxy
 * and nginx are installed, their own config checks ({@code haproxy -c}, {@code nginx -t}) must accept the text too.
 */
class UpstreamsConfigTest
{
    private static final List<Integer> THREE = List.of(41001, 41002, 41003);

    @Test
    void shouldGiveTheProxyOnePoolOfAllServersRoundRobin()
    {
        final Config config = TomlConfigLoader.parse(ProxyLauncher.upstreamsToml(THREE), "proxy-upstreams.toml")
            .build();

        assertEquals(Balance.ROUND_ROBIN, config.balance());
        final List<String> servers = new ArrayList<>();
        for (final Upstream upstream : config.upstreams())
        {
            servers.add(upstream.addr().toString());
            assertEquals(1, upstream.weight());
            assertFalse(upstream.backup());
        }
        assertEquals(List.of("127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"), servers);
        assertThrows(IllegalArgumentException.class, () -> ProxyLauncher.upstreamsToml(List.of()));
    }

    @Test
    void shouldBalanceHaproxyRoundRobinOverEveryServer()
    {
        final String config = ExternalProxies.haproxyConfig(42000, THREE, 2, 1000);

        assertTrue(config.contains("\nfrontend bench\n    bind 127.0.0.1:42000\n    default_backend echo\n"), config);
        assertTrue(config.endsWith("\nbackend echo\n" +
            "    balance roundrobin\n" +
            "    server echo1 127.0.0.1:41001\n" +
            "    server echo2 127.0.0.1:41002\n" +
            "    server echo3 127.0.0.1:41003\n"), config);
        assertTrue(config.contains("    nbthread 2\n    maxconn 1000\n"), config);
    }

    @Test
    void shouldKeepTheSingleServerHaproxyConfig()
    {
        final String config = ExternalProxies.haproxyConfig(42000, List.of(41001), 1, 1000);

        assertTrue(config.endsWith("\nbackend echo\n    server echo 127.0.0.1:41001\n"), config);
        assertFalse(config.contains("balance"), config);
    }

    @Test
    void shouldGiveNginxAnUpstreamBlockOfEveryServerWithItsDefaultBalancing(@TempDir final Path prefix)
    {
        final String config = ExternalProxies.nginxConfig("/x/ngx_stream_module.so", prefix, 42000, THREE, 2);

        assertTrue(config.contains("\nstream {\n" +
            "    upstream echo {\n" +
            "        server 127.0.0.1:41001;\n" +
            "        server 127.0.0.1:41002;\n" +
            "        server 127.0.0.1:41003;\n" +
            "    }\n\n" +
            "    server {\n" +
            "        listen 127.0.0.1:42000;\n" +
            "        proxy_pass echo;\n"), config);
        // nginx's default is weighted round robin; any other method would have to be named in the block
        for (final String method : List.of("hash", "least_conn", "random"))
        {
            assertFalse(config.contains(method), method + " in\n" + config);
        }
        assertTrue(config.startsWith("# written by tcp-proxy bench"), config);
        assertTrue(config.contains("\nload_module /x/ngx_stream_module.so;\nworker_processes 2;\n"), config);
    }

    @Test
    void shouldKeepTheSingleServerNginxConfig(@TempDir final Path prefix)
    {
        final String config = ExternalProxies.nginxConfig(null, prefix, 42000, List.of(41001), 1);

        assertTrue(config.contains("\nstream {\n    server {\n        listen 127.0.0.1:42000;\n" +
            "        proxy_pass 127.0.0.1:41001;\n"), config);
        assertFalse(config.contains("upstream"), config);
        assertFalse(config.contains("load_module"), config);
    }

    @Test
    void shouldWriteConfigsHaproxyAndNginxAcceptWhereTheyAreInstalled(@TempDir final Path dir) throws Exception
    {
        final Path haproxy = ExternalProxies.findExecutable("haproxy");
        final Path nginx = ExternalProxies.findExecutable("nginx");
        if (haproxy == null && nginx == null)
        {
            System.err.println("UpstreamsConfigTest: neither haproxy nor nginx is installed; their checks of the " +
                "config text did not run (the text assertions above did)");
        }
        if (haproxy != null)
        {
            final Path file = dir.resolve("haproxy.cfg");
            Files.writeString(file, ExternalProxies.haproxyConfig(42000, THREE, 1, 256), StandardCharsets.UTF_8);
            check(List.of(haproxy.toString(), "-c", "-f", file.toString()), dir.resolve("haproxy-check.log"));
        }
        if (nginx != null)
        {
            final Path module = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
            final Path file = dir.resolve("nginx.conf");
            Files.writeString(file, ExternalProxies.nginxConfig(Files.isRegularFile(module) ? module.toString() : null,
                dir, 42000, THREE, 1), StandardCharsets.UTF_8);
            check(List.of(nginx.toString(), "-t", "-p", dir + "/", "-e", dir.resolve("nginx-error.log").toString(),
                "-c", file.toString()), dir.resolve("nginx-check.log"));
        }
    }

    private static void check(final List<String> command, final Path log) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        assertEquals(0, process.exitValue(), command + ":\n" + Files.readString(log));
    }
}
