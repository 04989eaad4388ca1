package io.tcpproxy.bench.bulk;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;

/**
 * One connection of a {@link BulkClient} run, on a thread of its own, blocking: waits for the start gate, moves
 * its bytes, checks the count (and sampled content on download), and records when it started and finished.
 */
final class BulkTransfer implements Runnable
{
    private final int index;
    private final SocketChannel channel;
    private final Direction direction;
    private final long bytes;
    private final CountDownLatch startGate;
    private final BulkClient.Outcome outcome;
    private long startNs;
    private long endNs;

    BulkTransfer(
        final int index,
        final SocketChannel channel,
        final Direction direction,
        final long bytes,
        final CountDownLatch startGate,
        final BulkClient.Outcome outcome)
    {
        this.index = index;
        this.channel = channel;
        this.direction = direction;
        this.bytes = bytes;
        this.startGate = startGate;
        this.outcome = outcome;
    }

    long startNs()
    {
        return startNs;
    }

    long endNs()
    {
        return endNs;
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        try
        {
            startGate.await();
            startNs = System.nanoTime();
            if (direction == Direction.UPLOAD)
            {
                upload();
            }
            else
            {
                download();
            }
            outcome.succeeded();
        }
        catch (final IOException | RuntimeException ex)
        {
            outcome.failed(new IOException("connection " + index + ": " + describe(ex), ex));
        }
        catch (final InterruptedException ex)
        {
            outcome.failed(new IOException("connection " + index + ": interrupted", ex));
        }
    }

    private void upload() throws IOException
    {
        final ByteBuffer mode = ByteBuffer.allocate(1).put(0, BulkProtocol.MODE_UPLOAD);
        writeFully(mode);
        final ByteBuffer pattern = BulkProtocol.newPatternBuffer();
        long sentBytes = 0;
        while (sentBytes < bytes)
        {
            final int offset = BulkProtocol.blockOffset(sentBytes);
            final int length = (int)Math.min(BulkProtocol.BLOCK_BYTES - offset, bytes - sentBytes);
            pattern.clear().position(offset).limit(offset + length);
            writeFully(pattern);
            sentBytes += length;
        }
        channel.shutdownOutput();

        final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES);
        while (reply.hasRemaining())
        {
            if (channel.read(reply) < 0)
            {
                throw new EOFException("the upstream closed after " + reply.position() +
                    " bytes of its 8-byte count reply, having been sent " + bytes + " bytes (a proxy that does " +
                    "not forward half-close ends the connection on the client's FIN)");
            }
        }
        endNs = System.nanoTime();
        final long counted = reply.getLong(0);
        if (counted < 0)
        {
            throw new IOException("the upstream received a wrong byte at stream offset " + (-1 - counted) +
                " of the upload");
        }
        if (counted != bytes)
        {
            throw new IOException("the upstream counted " + counted + " bytes of an upload of " + bytes);
        }
    }

    private void download() throws IOException
    {
        final ByteBuffer request = ByteBuffer.allocate(BulkProtocol.DOWNLOAD_HEADER_BYTES)
            .put(BulkProtocol.MODE_DOWNLOAD)
            .putLong(bytes)
            .flip();
        writeFully(request);

        final ByteBuffer buffer = ByteBuffer.allocateDirect(BulkProtocol.BLOCK_BYTES);
        long receivedBytes = 0;
        if (bytes == 0)
        {
            endNs = System.nanoTime();
        }
        while (true)
        {
            buffer.clear();
            final int read = channel.read(buffer);
            if (read < 0)
            {
                break;
            }
            final long wrongOffset = BulkProtocol.firstWrongSample(buffer, read, receivedBytes);
            if (wrongOffset >= 0)
            {
                throw new IOException(String.format(
                    "wrong byte at stream offset %d of the download: 0x%02x, expected 0x%02x",
                    wrongOffset, buffer.get((int)(wrongOffset - receivedBytes)) & 0xFF,
                    BulkProtocol.expectedByte(wrongOffset) & 0xFF));
            }
            receivedBytes += read;
            if (receivedBytes > bytes)
            {
                throw new IOException("received more than the " + bytes + " bytes requested");
            }
            if (receivedBytes == bytes && read > 0)
            {
                endNs = System.nanoTime();
            }
        }
        if (receivedBytes != bytes)
        {
            throw new EOFException("the download ended after " + receivedBytes + " of " + bytes + " bytes");
        }
    }

    private void writeFully(final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    private static String describe(final Exception ex)
    {
        final String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() : message;
    }
}
