package io.tcpproxy.relay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A console whose writes block until {@link #release()}: it stalls the metrics collector on its first log line, as
 * a console piped into a slow reader would, so the workers' rings fill up.
 */
final class StalledConsole extends OutputStream
{
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger blockedWriters = new AtomicInteger();
    private final PrintStream stream = new PrintStream(this, true, StandardCharsets.UTF_8);

    PrintStream stream()
    {
        return stream;
    }

    /** @return true once a writer is blocked in this console. */
    boolean isStalling()
    {
        return blockedWriters.get() > 0;
    }

    void release()
    {
        released.countDown();
    }

    public void write(final int b) throws IOException
    {
        awaitRelease();
    }

    public void write(final byte[] bytes, final int offset, final int length) throws IOException
    {
        awaitRelease();
    }

    private void awaitRelease() throws IOException
    {
        if (released.getCount() == 0)
        {
            return;
        }
        blockedWriters.incrementAndGet();
        try
        {
            released.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stalled");
        }
        finally
        {
            blockedWriters.decrementAndGet();
        }
    }
}
