package io.tcpproxy.http;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Settings for a proxy under test that listens and serves its metrics on ephemeral loopback ports.
 */
final class LoopbackConfig
{
    private LoopbackConfig()
    {
    }

    /**
     * @return a builder with {@code listen_addr} and {@code metrics_addr} on 127.0.0.1 port 0.
     */
    static ConfigBuilder withMetrics()
    {
        return Config.builder().listenAddress("127.0.0.1:0").metricsAddress("127.0.0.1:0");
    }

    /**
     * @param targetPort of a server on 127.0.0.1.
     * @return {@link #withMetrics()} forwarding to that server.
     */
    static ConfigBuilder withMetrics(final int targetPort)
    {
        return withMetrics().targetAddress("127.0.0.1:" + targetPort);
    }

    /**
     * @return a console that drops what is printed to it.
     */
    static PrintStream quietConsole()
    {
        return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    }
}
