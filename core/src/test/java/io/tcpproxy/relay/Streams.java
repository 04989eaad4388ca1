package io.tcpproxy.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Random streams identified by a seed, and SHA-256 digests of what is sent and received.
 */
final class Streams
{
    static final int KIB = 1024;
    static final int MIB = 1024 * 1024;
    private static final int CHUNK_BYTES = 64 * KIB;

    private Streams()
    {
    }

    /**
     * What one end read: the byte count and the SHA-256 of the bytes.
     *
     * @param bytes  read before the end of the stream.
     * @param sha256 hex digest of those bytes.
     */
    record Received(long bytes, String sha256)
    {
    }

    /**
     * Write {@code bytes} pseudo-random bytes generated from {@code seed}.
     *
     * @return the hex SHA-256 of what was written.
     */
    static String sendRandom(final OutputStream out, final long bytes, final long seed) throws IOException
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final MessageDigest digest = sha256();
        final byte[] chunk = new byte[CHUNK_BYTES];
        long remaining = bytes;
        while (remaining > 0)
        {
            final int length = (int)Math.min(chunk.length, remaining);
            random.nextBytes(chunk);
            digest.update(chunk, 0, length);
            out.write(chunk, 0, length);
            remaining -= length;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * @return the hex SHA-256 of the stream {@link #sendRandom(OutputStream, long, long)} writes for these arguments.
     */
    static String randomSha256(final long bytes, final long seed)
    {
        try
        {
            return sendRandom(OutputStream.nullOutputStream(), bytes, seed);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Read to the end of the stream.
     */
    static Received readAll(final InputStream in) throws IOException
    {
        return readAll(in, 0, new AtomicLong());
    }

    /**
     * Read to the end of the stream, pausing {@code pauseNs} after every 64 KiB (a deliberately slow reader).
     *
     * @param progress updated with the bytes read so far.
     */
    static Received readAll(final InputStream in, final long pauseNs, final AtomicLong progress) throws IOException
    {
        final MessageDigest digest = sha256();
        final byte[] chunk = new byte[CHUNK_BYTES];
        long total = 0;
        long sincePause = 0;
        while (true)
        {
            final int read = in.read(chunk);
            if (read < 0)
            {
                break;
            }
            digest.update(chunk, 0, read);
            total += read;
            progress.lazySet(total);
            sincePause += read;
            if (pauseNs > 0 && sincePause >= CHUNK_BYTES)
            {
                sincePause = 0;
                LockSupport.parkNanos(pauseNs);
            }
        }
        return new Received(total, HexFormat.of().formatHex(digest.digest()));
    }

    static long millis(final long ms)
    {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
