package io.tcpproxy.bench.bulk;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A misbehaving bulk server for tests: accepts connections on a thread and hands each, blocking, to a script.
 */
final class ScriptedBulkServer implements AutoCloseable
{
    /**
     * What the server does with one accepted connection.
     */
    @FunctionalInterface
    interface Script
    {
        void serve(SocketChannel channel) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Thread thread;

    ScriptedBulkServer(final Script script) throws IOException
    {
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(() -> acceptLoop(script), "scripted-bulk-server");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() throws IOException
    {
        return (InetSocketAddress)server.getLocalAddress();
    }

    public void close() throws IOException
    {
        server.close();
    }

    private void acceptLoop(final Script script)
    {
        while (server.isOpen())
        {
            try
            {
                final SocketChannel channel = server.accept();
                final Thread worker = new Thread(() ->
                {
                    try (SocketChannel accepted = channel)
                    {
                        script.serve(accepted);
                    }
                    catch (final IOException ignore)
                    {
                        // the client closed
                    }
                }, "scripted-bulk-connection");
                worker.setDaemon(true);
                worker.start();
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    /**
     * Read the download request and return its length.
     */
    static long readDownloadRequest(final SocketChannel channel) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(BulkProtocol.DOWNLOAD_HEADER_BYTES);
        while (header.hasRemaining())
        {
            if (channel.read(header) < 0)
            {
                throw new IOException("closed");
            }
        }
        if (header.get(0) != BulkProtocol.MODE_DOWNLOAD)
        {
            throw new IOException("not a download");
        }
        return header.getLong(1);
    }

    /**
     * Read an upload to its end and return how many bytes followed the mode byte.
     */
    static long drainUpload(final SocketChannel channel) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BulkProtocol.BLOCK_BYTES);
        long bytes = -1;
        int read;
        while ((read = channel.read(buffer.clear())) >= 0)
        {
            bytes += read;
        }
        return bytes;
    }

    /**
     * Send the first {@code bytes} bytes of the pattern stream, with the byte at stream offset
     * {@code corruptOffset} (if not negative) changed.
     */
    static void sendPattern(final SocketChannel channel, final long bytes, final long corruptOffset)
        throws IOException
    {
        final ByteBuffer pattern = BulkProtocol.newPatternBuffer();
        long sent = 0;
        while (sent < bytes)
        {
            final int offset = BulkProtocol.blockOffset(sent);
            final int length = (int)Math.min(BulkProtocol.BLOCK_BYTES - offset, bytes - sent);
            final ByteBuffer chunk = pattern.duplicate();
            chunk.position(offset).limit(offset + length);
            if (corruptOffset >= sent && corruptOffset < sent + length)
            {
                final int at = offset + (int)(corruptOffset - sent);
                final ByteBuffer copy = ByteBuffer.allocate(length);
                copy.put(chunk).flip();
                copy.put(at - offset, (byte)(copy.get(at - offset) ^ 0x5A));
                while (copy.hasRemaining())
                {
                    channel.write(copy);
                }
            }
            else
            {
                while (chunk.hasRemaining())
                {
                    channel.write(chunk);
                }
            }
            sent += length;
        }
    }
}
