package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.testsupport.TestUpstream;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Proxies for the tests: a free loopback port, no HTTP endpoint, quiet console unless a test captures it. Shared by
 * the relay tests and the reliability battery.
 */
public final class TestProxies
{
    private TestProxies()
    {
    }

    static ConfigBuilder configFor(final TestUpstream upstream)
    {
        return configFor(upstream.address());
    }

    /**
     * @param targetAddress host:port of the upstream.
     * @return settings for a quiet two-worker proxy on a free loopback port.
     */
    public static ConfigBuilder configFor(final String targetAddress)
    {
        return Config.builder()
            .listenAddress("127.0.0.1:0")
            .targetAddress(targetAddress)
            .metricsAddress("")
            .workers(2)
            .logEvents(LogEvents.OFF)
            .metricsLogIntervalSecs(0);
    }

    /**
     * @param config the settings.
     * @return a running proxy whose console goes nowhere.
     * @throws IOException if it cannot bind.
     */
    public static Proxy start(final ConfigBuilder config) throws IOException
    {
        // never the default console: it writes to fd 1, which the test runner uses to talk to its fork
        return Proxy.start(config.build(), new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    }

    static Proxy start(final ConfigBuilder config, final ConsoleCapture console) throws IOException
    {
        return Proxy.start(config.build(), console.stream());
    }
}
