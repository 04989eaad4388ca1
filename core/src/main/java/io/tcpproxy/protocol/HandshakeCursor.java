package io.tcpproxy.protocol;

import java.nio.ByteBuffer;

/**
 * Walks a TLS handshake message that may be split across several records, stepping over the record headers:
 * a buffer index and the bytes left in the current record's fragment. Callers have checked that the message holds
 * what they read and that every record up to the message's end is complete and non-empty, so it never runs past
 * the received bytes. Reads with absolute gets; allocates nothing.
 */
final class HandshakeCursor
{
    static final int RECORD_HEADER_BYTES = 5;

    private ByteBuffer buffer;
    private int cursor;
    private int fragmentLeft;

    /**
     * @param b     the received bytes.
     * @param start index of the first record's header.
     */
    void start(final ByteBuffer b, final int start)
    {
        buffer = b;
        cursor = start + RECORD_HEADER_BYTES;
        fragmentLeft = b.getShort(start + 3) & 0xFFFF;
    }

    /** @return the next handshake byte. */
    int nextByte()
    {
        if (fragmentLeft == 0)
        {
            nextFragment();
        }
        fragmentLeft--;
        return buffer.get(cursor++) & 0xFF;
    }

    /** @return the next two handshake bytes as a big-endian unsigned number. */
    int uint16()
    {
        return nextByte() << 8 | nextByte();
    }

    void skip(final int count)
    {
        int left = count;
        while (left > 0)
        {
            if (fragmentLeft == 0)
            {
                nextFragment();
            }
            final int step = Math.min(left, fragmentLeft);
            cursor += step;
            fragmentLeft -= step;
            left -= step;
        }
    }

    private void nextFragment()
    {
        fragmentLeft = buffer.getShort(cursor + 3) & 0xFFFF;
        cursor += RECORD_HEADER_BYTES;
    }
}
