package io.tcpproxy;

import io.tcpproxy.metrics.MetricsSnapshot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A running proxy. API SKELETON: the engine fills this in.
 */
public final class Proxy implements AutoCloseable
{
    private Proxy()
    {
    }

    /**
     * Bind the listener(s) and the metrics endpoint, start the workers and the collector.
     *
     * @param config the settings.
     * @return the running proxy.
     * @throws IOException if an address cannot be bound.
     */
    public static Proxy start(final Config config) throws IOException
    {
        throw new UnsupportedOperationException("engine not written yet");
    }

    /** @return the address clients connect to (the real port when 0 was configured). */
    public InetSocketAddress localAddress()
    {
        throw new UnsupportedOperationException();
    }

    /** @return the metrics endpoint's address (the real port), or null when metrics_addr is empty. */
    public InetSocketAddress metricsAddress()
    {
        throw new UnsupportedOperationException();
    }

    /** @return the target as configured. */
    public HostPort targetAddress()
    {
        throw new UnsupportedOperationException();
    }

    /** @return the latest metrics snapshot (at most ~100 ms old while traffic flows). */
    public MetricsSnapshot metrics()
    {
        throw new UnsupportedOperationException();
    }

    /**
     * Graceful stop: stop accepting at once, let open connections finish for up to {@code grace}, close the rest
     * (reason {@link CloseReason#SHUTDOWN}), drain the metrics, print the final summary, release everything.
     * Returns when done. Calling it again while a shutdown runs shortens the grace period to the new value.
     *
     * @param grace how long to wait for open connections.
     */
    public void shutdown(final Duration grace)
    {
        throw new UnsupportedOperationException();
    }

    /** Block until the proxy has stopped (after {@link #shutdown(Duration)} or {@link #close()}). */
    public void awaitShutdown() throws InterruptedException
    {
        throw new UnsupportedOperationException();
    }

    /** Shutdown with no grace: closes every connection now and releases every thread, socket and buffer. */
    public void close()
    {
        throw new UnsupportedOperationException();
    }
}
