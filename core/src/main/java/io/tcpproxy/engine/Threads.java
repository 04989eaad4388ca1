package io.tcpproxy.engine;

/**
 * Thread helpers shared by the modules that own threads outside the engine (the HTTP responder).
 */
public final class Threads
{
    private Threads()
    {
    }

    /**
     * Wait until {@code thread} has ended, even when interrupted meanwhile: a close() that returns early would leave
     * a thread still touching what it owns. The interrupt is kept for the caller.
     *
     * @param thread to wait for.
     */
    public static void joinUninterruptibly(final Thread thread)
    {
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
