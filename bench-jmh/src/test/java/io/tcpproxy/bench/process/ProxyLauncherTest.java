package io.tcpproxy.bench.process;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyLauncherTest
{
    @Test
    void shouldReadThePortsOfTheListeningLines() throws IOException
    {
        final String proxyLine =
            "tcp-proxy listening on 127.0.0.1:41234, forwarding to 127.0.0.1:8081, metrics on http://127.0.0.1:9091/metrics";

        assertEquals("127.0.0.1:41234", ProxyLauncher.addressAfter(proxyLine, "listening on "));
        assertEquals(41234, ProxyLauncher.portOf(ProxyLauncher.addressAfter(proxyLine, "listening on "), proxyLine));
        assertEquals("http://127.0.0.1:9091/metrics", ProxyLauncher.addressAfter(proxyLine, "metrics on "));
        assertEquals(9091, ProxyLauncher.portOf("http://127.0.0.1:9091/metrics", proxyLine));
        final String echoLine = "echo server listening on 127.0.0.1:38001";
        assertEquals(38001, ProxyLauncher.portOf(ProxyLauncher.addressAfter(echoLine, "echo server listening on "), echoLine));
        assertThrows(IOException.class, () -> ProxyLauncher.portOf("127.0.0.1", "x"));
    }

    @Test
    void shouldReadJvmFlagsOnePerLineSkippingComments(@TempDir final Path home) throws IOException
    {
        final ProxyLauncher launcher = new ProxyLauncher(home);
        assertEquals(List.of(), launcher.jvmFlags(), "a missing jvm.options means no flags");

        Files.writeString(home.resolve("jvm.options"), "# tuned for latency\n-Xms256m   # fixed heap\n\n  -XX:+UseParallelGC  \n#-Xmx1g\n");
        assertEquals(List.of("-Xms256m", "-XX:+UseParallelGC"), launcher.jvmFlags());
    }

    @Test
    void shouldSayHowToBuildAMissingJar(@TempDir final Path home)
    {
        final IOException error = assertThrows(IOException.class, () -> new ProxyLauncher(home).javaCommand());

        assertTrue(error.getMessage().contains("cli/target/tcp-proxy.jar"), error.getMessage());
        assertTrue(error.getMessage().contains("TCP_PROXY_HOME"), error.getMessage());
    }

    @Test
    void shouldPreferAnExplicitHome(@TempDir final Path home)
    {
        assertEquals(home.toAbsolutePath().normalize(), ProxyLauncher.resolveHome(home.toString()));
    }
}
