package io.tcpproxy.engine.upstream;

import io.tcpproxy.config.Config;
import io.tcpproxy.engine.EngineContext;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Re-resolves a host-name target off the relay threads (workers never block on DNS): every 30 s, or every second
 * while the name does not resolve. Only started when the target is a name rather than a literal IP.
 */
public final class TargetResolver implements Runnable, AutoCloseable
{
    private static final long REFRESH_MS = TimeUnit.SECONDS.toMillis(30);
    private static final long RETRY_MS = TimeUnit.SECONDS.toMillis(1);

    private final Config config;
    private final EngineContext context;
    private final Thread thread;
    private volatile boolean running = true;

    public TargetResolver(final Config config, final EngineContext context)
    {
        this.config = config;
        this.context = context;
        this.thread = new Thread(this, "tcp-proxy-resolver");
        this.thread.setDaemon(true);
    }

    public void start()
    {
        thread.start();
    }

    public void run()
    {
        while (running)
        {
            try
            {
                final boolean resolved = !context.target().isUnresolved();
                synchronized (this)
                {
                    if (!running)
                    {
                        return; // close() may have run since the loop's check: its notify is not waited for
                    }
                    wait(resolved ? REFRESH_MS : RETRY_MS);
                }
                if (!running)
                {
                    return;
                }
                final InetSocketAddress fresh = config.targetAddress().resolve();
                if (!fresh.isUnresolved() || context.target().isUnresolved())
                {
                    context.target(fresh); // keep the last good address when a refresh fails
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    public void close()
    {
        running = false;
        synchronized (this)
        {
            notifyAll();
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
