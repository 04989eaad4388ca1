package io.tcpproxy.bench.loadgen;

import java.nio.ByteBuffer;

/**
 * The bytes of a request: a xorshift stream seeded by the connection and the message number, so an echo of
 * an older message, of another connection's message, or of shifted bytes never matches.
 */
final class Payload
{
    private Payload()
    {
    }

    /**
     * Fill {@code buffer} from index 0 to its capacity with the pattern of one message.
     *
     * @param buffer        the request buffer; position and limit are not changed.
     * @param connectionSeed a seed unique to the connection.
     * @param messageNumber the message counter of the connection.
     */
    static void fill(final ByteBuffer buffer, final long connectionSeed, final long messageNumber)
    {
        long state = mix(connectionSeed ^ (messageNumber * 0x9E3779B97F4A7C15L)) | 1L;
        final int capacity = buffer.capacity();
        final int wholeWords = capacity & ~7;
        int index = 0;
        while (index < wholeWords)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            buffer.putLong(index, state);
            index += 8;
        }
        if (index < capacity)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            long tail = state;
            while (index < capacity)
            {
                buffer.put(index++, (byte)tail);
                tail >>>= 8;
            }
        }
    }

    static long mix(final long value)
    {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
