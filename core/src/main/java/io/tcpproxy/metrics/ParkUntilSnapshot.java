package io.tcpproxy.metrics;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The collector's idle strategy: park until the pending snapshot is due (see {@link MetricsCollector#parkNs}); no
 * park while a ring still holds more than one pass read.
 */
final class ParkUntilSnapshot implements IdleStrategy
{
    private final MetricsCollector collector;
    private final RingReader reader;
    private final long maxParkNs;

    ParkUntilSnapshot(final MetricsCollector collector, final RingReader reader, final long maxParkNs)
    {
        this.collector = collector;
        this.reader = reader;
        this.maxParkNs = maxParkNs;
    }

    public void idle(final int workCount)
    {
        if (!reader.moreToRead())
        {
            LockSupport.parkNanos(collector.parkNs(maxParkNs));
        }
    }

    public void idle()
    {
        LockSupport.parkNanos(collector.parkNs(maxParkNs));
    }

    public void reset()
    {
    }

    public String alias()
    {
        return "park-until-snapshot";
    }
}
