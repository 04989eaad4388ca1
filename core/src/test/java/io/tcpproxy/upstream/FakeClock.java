package io.tcpproxy.upstream;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A clock moved by hand; starts at an arbitrary (negative) time so that wrap-safe comparisons are exercised.
 */
final class FakeClock implements LongSupplier
{
    private volatile long nowNs = -TimeUnit.HOURS.toNanos(1);

    @Override
    public long getAsLong()
    {
        return nowNs;
    }

    void advanceMs(final long ms)
    {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    void advanceSecs(final long secs)
    {
        nowNs += TimeUnit.SECONDS.toNanos(secs);
    }
}
