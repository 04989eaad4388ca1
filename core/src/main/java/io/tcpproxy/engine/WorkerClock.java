package io.tcpproxy.engine;

import org.agrona.concurrent.NanoClock;

/**
 * A worker's notion of now: read from the injected {@link NanoClock} at fixed points of the duty cycle and shared
 * by all of the worker's parts, so that tests drive every timer path by advancing a fake clock.
 */
public final class WorkerClock
{
    private final NanoClock source;
    private long nowNs;

    WorkerClock(final NanoClock source)
    {
        this.source = source;
        this.nowNs = source.nanoTime();
    }

    /** @return the time read by the last {@link #update()}. */
    public long nowNs()
    {
        return nowNs;
    }

    /** @return the freshly read time. */
    long update()
    {
        nowNs = source.nanoTime();
        return nowNs;
    }

    /** @return the source's time now, without changing the cached one. */
    long readSource()
    {
        return source.nanoTime();
    }
}
