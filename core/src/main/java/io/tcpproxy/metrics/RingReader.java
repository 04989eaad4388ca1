package io.tcpproxy.metrics;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * The collector's side of the workers' rings: reads every ring, a bounded batch each pass, into
 * {@link ConnectionEvents}, and tells the rings which thread to wake when they pass half full.
 */
final class RingReader
{
    private static final int READ_LIMIT_PER_RING = 4096;

    private final MetricsRing[] rings;
    /** One per ring, made once: reading allocates nothing. */
    private final MessageHandler[] handlers;
    private boolean moreToRead;

    RingReader(final MetricsRing[] rings, final ConnectionEvents events)
    {
        this.rings = rings;
        this.handlers = new MessageHandler[rings.length];
        for (int i = 0; i < rings.length; i++)
        {
            final int workerIndex = i;
            handlers[i] = (msgTypeId, buffer, index, length) -> events.onMessage(workerIndex, msgTypeId, buffer, index);
        }
    }

    /** @param reader the thread the rings wake when they pass half full, or null for none. */
    void readBy(final Thread reader)
    {
        for (final MetricsRing ring : rings)
        {
            ring.readBy(reader);
        }
    }

    /** @return the records read from all rings in this pass. */
    int read()
    {
        int workCount = 0;
        boolean limitReached = false;
        for (int i = 0; i < rings.length; i++)
        {
            // One read stops at the end of the buffer (and may consume only the padding there): read again while the
            // head moves, so that a collector woken by a (nearly) full ring drains all of it before it parks again.
            final RingBuffer ring = rings[i].ring();
            int read = 0;
            long headPosition;
            do
            {
                headPosition = ring.consumerPosition();
                read += ring.read(handlers[i], READ_LIMIT_PER_RING - read);
            }
            while (ring.consumerPosition() != headPosition && read < READ_LIMIT_PER_RING);
            limitReached |= read >= READ_LIMIT_PER_RING;
            workCount += read;
        }
        moreToRead = limitReached;
        return workCount;
    }

    /** @return whether the last pass stopped at its limit on some ring, so the next should not wait. */
    boolean moreToRead()
    {
        return moreToRead;
    }
}
