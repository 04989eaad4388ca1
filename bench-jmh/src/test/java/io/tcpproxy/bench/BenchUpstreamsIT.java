package io.tcpproxy.bench;

import io.tcpproxy.bench.process.ExternalProxies;
import io.tcpproxy.bench.process.ProxyLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench --upstreams 3} end to end: three echo servers from the real jar, the proxy started with a pool of all
 * three (its startup line lists them), and HAProxy and nginx in front of all three where they are installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchUpstreamsIT
{
    private static final Pattern ECHO_PORT = Pattern.compile("echo server listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void shouldPutThreeEchoServersBehindEveryProxy(@TempDir final Path dir) throws Exception
    {
        final Path home = ProxyLauncher.resolveHome(null);
        final Path scenarios = dir.resolve("scenarios.toml");
        Files.writeString(scenarios, "[[scenario]]\nname = \"baseline\"\nconnections = 6\nsize = \"1KiB\"\n");
        final Path outDir = dir.resolve("results");
        final List<String> args = new ArrayList<>(List.of("bench", "--quick", "--upstreams", "3", "--workers", "1",
            "--scenarios", scenarios.toString(), "--out", outDir.toString(), "--home", home.toString()));
        final boolean haproxy = ExternalProxies.findExecutable("haproxy") != null;
        final boolean nginx = ExternalProxies.findExecutable("nginx") != null;
        if (haproxy)
        {
            args.add("--with-haproxy");
        }
        if (nginx)
        {
            args.add("--with-nginx");
        }
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

        final int exit = BenchMain.run(args.toArray(new String[0]),
            new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8),
            false);

        final String out = outBytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, "stdout:\n" + out + "\nstderr:\n" + errBytes.toString(StandardCharsets.UTF_8));
        assertTrue(out.contains("3 echo servers behind each proxy (round robin), direct to the first"), out);
        final List<String> servers = new ArrayList<>();
        for (final String log : List.of("echo.log", "echo-2.log", "echo-3.log"))
        {
            final Matcher matcher = ECHO_PORT.matcher(Files.readString(outDir.resolve(log)));
            assertTrue(matcher.find(), log);
            servers.add("127.0.0.1:" + matcher.group(1));
        }
        final String proxyLog = Files.readString(outDir.resolve("proxy.log"));
        assertTrue(proxyLog.contains("round_robin over 3 servers: " + servers.get(0)), proxyLog);
        for (final String server : servers)
        {
            assertTrue(proxyLog.contains(server), server + " in the proxy's startup lines:\n" + proxyLog);
            if (haproxy)
            {
                assertTrue(Files.readString(outDir.resolve("haproxy.cfg")).contains(" " + server + "\n"), server);
            }
            if (nginx)
            {
                assertTrue(Files.readString(outDir.resolve("nginx.conf")).contains("server " + server + ";"), server);
            }
        }
        final String table = Files.readString(outDir.resolve("results.md"));
        assertTrue(table.contains("| baseline | 6 | 1 KiB |"), table);
        assertTrue(table.contains("proxy/direct RPS"), table);
    }
}
