package io.tcpproxy.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl+C or SIGTERM during a measurement into an interrupt of the measuring thread, and holds the JVM's
 * shutdown until that thread has written what it measured (or a minute passed). The JVM then ends with the
 * signal's status, 130 or 143.
 */
final class Interruption implements AutoCloseable
{
    private static final long WRITE_GRACE_SECS = 60;

    private final Thread measuring;
    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean signalled;

    private Interruption(final Thread measuring)
    {
        this.measuring = measuring;
        this.hook = new Thread(this::onSignal, "interrupt-measurement");
    }

    /**
     * @return an interruption of the calling thread, armed until {@link #close()}.
     */
    static Interruption ofCurrentThread()
    {
        final Interruption interruption = new Interruption(Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(interruption.hook);
        return interruption;
    }

    /**
     * @return true once a signal asked the JVM to end.
     */
    boolean signalled()
    {
        return signalled;
    }

    /**
     * The measuring thread is done (reports written): let the shutdown go on, or disarm.
     */
    @Override
    public void close()
    {
        finished.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignore)
        {
            // already shutting down: the hook is running
        }
    }

    private void onSignal()
    {
        signalled = true;
        measuring.interrupt();
        try
        {
            finished.await(WRITE_GRACE_SECS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
