package io.tcpproxy.cli;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.HostPort;
import io.tcpproxy.Proxy;

import java.time.Duration;

/**
 * The program of docs/embedding.md (the same statements; the class name and package differ), run by
 * {@code ShutdownIT} as a child process: a SIGTERM must drain it through the shutdown hook. Keep the two in step.
 */
public final class EmbeddedProxyExample
{
    private EmbeddedProxyExample()
    {
    }

    /**
     * @param args the listen address and the target address.
     * @throws Exception if the proxy cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        final Config config = Config.builder()
            .listenAddress(args[0])
            .targetAddress(args[1])
            .metricsAddress("")
            .gracePeriodSecs(30)
            .build();
        final Proxy proxy = Proxy.start(config);

        // SIGTERM or Ctrl+C: stop accepting, let open connections finish (up to the grace period), then return
        Runtime.getRuntime().addShutdownHook(new Thread(
            () -> proxy.shutdown(Duration.ofSeconds(config.gracePeriodSecs())), "proxy-shutdown"));

        System.out.println("Proxy listening on " + HostPort.format(proxy.localAddress()));
        proxy.awaitShutdown();
    }
}
