package io.tcpproxy.bench.bulk;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One connection of the {@link BulkServer}, driven by its worker's selector: reads the mode, then discards an
 * upload and answers its count, or sends a download and closes.
 */
final class BulkServerConnection
{
    private static final int HEADER = 0;
    private static final int DISCARDING = 1;
    private static final int REPLYING = 2;
    private static final int SENDING = 3;
    /** Bytes moved per readiness event at most, so one connection cannot starve the others of a worker. */
    private static final long BUDGET_BYTES_PER_EVENT = 8L * BulkProtocol.BLOCK_BYTES;

    private final SocketChannel channel;
    private final ByteBuffer header = ByteBuffer.allocate(BulkProtocol.DOWNLOAD_HEADER_BYTES);
    private final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES);
    private final ByteBuffer patternView;
    private SelectionKey key;
    private int state = HEADER;
    private long streamBytes;
    private long remainingBytes;
    private long firstWrongOffset = -1;

    BulkServerConnection(final SocketChannel channel, final ByteBuffer pattern)
    {
        this.channel = channel;
        this.patternView = pattern.duplicate();
        header.limit(1);
    }

    void register(final SelectionKey key)
    {
        this.key = key;
    }

    /**
     * @param key        its key, ready.
     * @param readBuffer the worker's shared read buffer.
     */
    void onReady(final SelectionKey key, final ByteBuffer readBuffer)
    {
        try
        {
            if (key.isReadable())
            {
                onReadable(readBuffer);
            }
            if (key.isValid() && key.isWritable())
            {
                onWritable();
            }
        }
        catch (final IOException ex)
        {
            close();
        }
    }

    void close()
    {
        if (key != null)
        {
            key.cancel();
        }
        CloseHelper.quietClose(channel);
    }

    private void onReadable(final ByteBuffer readBuffer) throws IOException
    {
        if (state == HEADER && !readHeader())
        {
            return;
        }
        if (state == DISCARDING)
        {
            discard(readBuffer);
        }
    }

    /**
     * @return true when the header is complete and the state has moved on.
     */
    private boolean readHeader() throws IOException
    {
        if (channel.read(header) < 0)
        {
            close();
            return false;
        }
        if (header.hasRemaining())
        {
            return false;
        }
        if (header.limit() == 1)
        {
            final byte mode = header.get(0);
            if (mode == BulkProtocol.MODE_UPLOAD)
            {
                state = DISCARDING;
                return true;
            }
            if (mode != BulkProtocol.MODE_DOWNLOAD)
            {
                close();
                return false;
            }
            header.limit(BulkProtocol.DOWNLOAD_HEADER_BYTES);
            if (channel.read(header) < 0)
            {
                close();
                return false;
            }
            if (header.hasRemaining())
            {
                return false;
            }
        }
        remainingBytes = header.getLong(1);
        if (remainingBytes < 0)
        {
            close();
            return false;
        }
        state = SENDING;
        key.interestOps(SelectionKey.OP_WRITE);
        send();
        return false;
    }

    private void discard(final ByteBuffer readBuffer) throws IOException
    {
        long budgetBytes = BUDGET_BYTES_PER_EVENT;
        while (budgetBytes > 0)
        {
            readBuffer.clear();
            final int read = channel.read(readBuffer);
            if (read == 0)
            {
                return;
            }
            if (read < 0)
            {
                reply.putLong(0, firstWrongOffset >= 0 ? -1 - firstWrongOffset : streamBytes);
                state = REPLYING;
                key.interestOps(SelectionKey.OP_WRITE);
                writeReply();
                return;
            }
            if (firstWrongOffset < 0)
            {
                firstWrongOffset = BulkProtocol.firstWrongSample(readBuffer, read, streamBytes);
            }
            streamBytes += read;
            budgetBytes -= read;
        }
    }

    private void onWritable() throws IOException
    {
        if (state == SENDING)
        {
            send();
        }
        else if (state == REPLYING)
        {
            writeReply();
        }
    }

    private void writeReply() throws IOException
    {
        channel.write(reply);
        if (!reply.hasRemaining())
        {
            close();
        }
    }

    private void send() throws IOException
    {
        long budgetBytes = BUDGET_BYTES_PER_EVENT;
        while (remainingBytes > 0 && budgetBytes > 0)
        {
            final int offset = BulkProtocol.blockOffset(streamBytes);
            final int length = (int)Math.min(BulkProtocol.BLOCK_BYTES - offset, remainingBytes);
            patternView.clear().position(offset).limit(offset + length);
            final int written = channel.write(patternView);
            if (written == 0)
            {
                return;
            }
            streamBytes += written;
            remainingBytes -= written;
            budgetBytes -= written;
        }
        if (remainingBytes == 0)
        {
            close();
        }
    }
}
