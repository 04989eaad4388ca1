package io.tcpproxy.bench.bulk;

import java.nio.ByteBuffer;

/**
 * The bulk protocol between {@link BulkClient} and {@link BulkServer}, and the byte pattern both send.
 * <p>
 * A connection's first byte selects the mode:
 * <ul>
 *     <li>{@code 'U'} upload: the client streams bytes until it shuts its output down; the server discards them
 *     and answers with one 8-byte big-endian value, the number of bytes after the mode byte, then closes. The
 *     server also samples the upload against the pattern; if a sample is wrong it answers
 *     {@code -1 - offset} of the first wrong sample instead.</li>
 *     <li>{@code 'D'} download, followed by an 8-byte big-endian length N: the server sends N bytes of the
 *     pattern, then closes.</li>
 * </ul>
 * The byte at stream offset {@code i} (counted after the header) is {@code PATTERN[i % BLOCK_BYTES]}. Receivers
 * check every {@link #CHECK_STRIDE_BYTES}th byte: a prime stride, so over a long stream the samples land on every
 * position of a block, and a dropped, duplicated or overwritten range is caught cheaply.
 */
public final class BulkProtocol
{
    /** Mode byte of an upload. */
    public static final byte MODE_UPLOAD = 'U';
    /** Mode byte of a download, followed by the 8-byte length. */
    public static final byte MODE_DOWNLOAD = 'D';
    /** Bytes of a download request: the mode byte and the length. */
    public static final int DOWNLOAD_HEADER_BYTES = 1 + Long.BYTES;
    /** Size of the pattern block, of the reads and of the writes. */
    public static final int BLOCK_BYTES = 256 * 1024;
    /** Distance between two checked bytes of a stream. */
    public static final int CHECK_STRIDE_BYTES = 4093;

    private static final int BLOCK_MASK = BLOCK_BYTES - 1;
    private static final byte[] PATTERN = newPattern();

    private BulkProtocol()
    {
    }

    /**
     * @param offset a stream offset, counted after the header.
     * @return the byte the pattern has there.
     */
    public static byte expectedByte(final long offset)
    {
        return PATTERN[(int)(offset & BLOCK_MASK)];
    }

    /**
     * @param offset a stream offset.
     * @return the index of {@code offset} within its pattern block.
     */
    public static int blockOffset(final long offset)
    {
        return (int)(offset & BLOCK_MASK);
    }

    /**
     * @return a new direct buffer of {@link #BLOCK_BYTES} holding one pattern block, position 0, limit capacity.
     */
    public static ByteBuffer newPatternBuffer()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK_BYTES);
        buffer.put(PATTERN).clear();
        return buffer;
    }

    /**
     * Check the sampled bytes of a chunk just received.
     *
     * @param chunk        the bytes received, from index 0 to {@code length}.
     * @param length       how many bytes the chunk holds.
     * @param streamOffset the stream offset of the chunk's first byte.
     * @return the stream offset of the first wrong sample, or -1 if all are right.
     */
    public static long firstWrongSample(final ByteBuffer chunk, final int length, final long streamOffset)
    {
        final long remainder = streamOffset % CHECK_STRIDE_BYTES;
        long sample = remainder == 0 ? streamOffset : streamOffset + CHECK_STRIDE_BYTES - remainder;
        final long end = streamOffset + length;
        while (sample < end)
        {
            if (chunk.get((int)(sample - streamOffset)) != PATTERN[(int)(sample & BLOCK_MASK)])
            {
                return sample;
            }
            sample += CHECK_STRIDE_BYTES;
        }
        return -1;
    }

    private static byte[] newPattern()
    {
        final byte[] pattern = new byte[BLOCK_BYTES];
        for (int i = 0; i < BLOCK_BYTES; i++)
        {
            int x = i * 0x9E3779B1;
            x ^= x >>> 15;
            x *= 0x85EBCA6B;
            x ^= x >>> 13;
            pattern[i] = (byte)x;
        }
        return pattern;
    }
}
