package io.tcpproxy.bench.bulk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BulkClientTest
{
    private static final long MIB = 1024L * 1024;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private static BulkServer startServer(final int threads) throws IOException
    {
        return BulkServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), threads);
    }

    @Test
    void shouldUploadAndDownloadThroughTheBulkServerWithRightCounts() throws Exception
    {
        try (BulkServer server = startServer(2))
        {
            final BulkResult upload = BulkClient.run(server.address(), Direction.UPLOAD, 1, 64 * MIB, TIMEOUT_NS);
            assertEquals(64 * MIB, upload.totalBytes());
            assertTrue(upload.wallNs() > 0 && upload.gbitPerSec() > 0, upload.toString());

            final BulkResult download = BulkClient.run(server.address(), Direction.DOWNLOAD, 1, 64 * MIB, TIMEOUT_NS);
            assertEquals(64 * MIB, download.totalBytes());
            assertEquals(download.totalBytes() * 1000.0 / download.wallNs(), download.mbPerSec(), 1e-9);
            assertEquals(download.mbPerSec() * 8 / 1000, download.gbitPerSec(), 1e-9);
        }
    }

    @Test
    void shouldMoveBytesOverParallelConnectionsAndOddSizes() throws Exception
    {
        try (BulkServer server = startServer(2))
        {
            final long odd = 16 * MIB + 12_345;
            assertEquals(4 * odd, BulkClient.run(server.address(), Direction.UPLOAD, 4, odd, TIMEOUT_NS).totalBytes());
            assertEquals(4 * odd, BulkClient.run(server.address(), Direction.DOWNLOAD, 4, odd, TIMEOUT_NS).totalBytes());
            assertEquals(0, BulkClient.run(server.address(), Direction.DOWNLOAD, 1, 0, TIMEOUT_NS).totalBytes());
        }
    }

    @Test
    void shouldDetectAShortDownload() throws Exception
    {
        try (ScriptedBulkServer server = new ScriptedBulkServer(channel ->
            ScriptedBulkServer.sendPattern(channel, ScriptedBulkServer.readDownloadRequest(channel) - 1000, -1)))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BulkClient.run(server.address(), Direction.DOWNLOAD, 1, 8 * MIB, TIMEOUT_NS));
            assertTrue(ex.getMessage().contains("ended after " + (8 * MIB - 1000) + " of " + 8 * MIB), ex.getMessage());
        }
    }

    @Test
    void shouldDetectACorruptedDownload() throws Exception
    {
        final long corruptAt = 3 * BulkProtocol.CHECK_STRIDE_BYTES * 1000L;
        try (ScriptedBulkServer server = new ScriptedBulkServer(channel ->
            ScriptedBulkServer.sendPattern(channel, ScriptedBulkServer.readDownloadRequest(channel), corruptAt)))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BulkClient.run(server.address(), Direction.DOWNLOAD, 4, 32 * MIB, TIMEOUT_NS));
            assertTrue(ex.getMessage().contains("wrong byte at stream offset " + corruptAt), ex.getMessage());
        }
    }

    @Test
    void shouldDetectAShiftedDownload() throws Exception
    {
        // a server that loses 100 bytes in the middle but pads the end: the count is right, the content is not
        try (ScriptedBulkServer server = new ScriptedBulkServer(channel ->
        {
            final long bytes = ScriptedBulkServer.readDownloadRequest(channel);
            final ByteBuffer pattern = BulkProtocol.newPatternBuffer();
            pattern.position(100);
            while (pattern.hasRemaining())
            {
                channel.write(pattern);
            }
            ScriptedBulkServer.sendPattern(channel, bytes - BulkProtocol.BLOCK_BYTES + 100, -1);
        }))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BulkClient.run(server.address(), Direction.DOWNLOAD, 1, 4 * MIB, TIMEOUT_NS));
            assertTrue(ex.getMessage().contains("wrong byte at stream offset"), ex.getMessage());
        }
    }

    @Test
    void shouldDetectAWrongUploadCount() throws Exception
    {
        try (ScriptedBulkServer server = new ScriptedBulkServer(channel ->
        {
            final long bytes = ScriptedBulkServer.drainUpload(channel);
            final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES).putLong(0, bytes - 1);
            channel.write(reply);
        }))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BulkClient.run(server.address(), Direction.UPLOAD, 1, 8 * MIB, TIMEOUT_NS));
            assertTrue(ex.getMessage().contains("counted " + (8 * MIB - 1) + " bytes of an upload of " + 8 * MIB),
                ex.getMessage());
        }
    }

    @Test
    void shouldDetectAnUpstreamThatClosesWithoutCounting() throws Exception
    {
        try (ScriptedBulkServer server = new ScriptedBulkServer(ScriptedBulkServer::drainUpload))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BulkClient.run(server.address(), Direction.UPLOAD, 4, 4 * MIB, TIMEOUT_NS));
            assertTrue(ex.getMessage().contains("closed after 0 bytes of its 8-byte count reply"), ex.getMessage());
        }
    }

    @Test
    void shouldTimeOutOnAStalledUpstream() throws Exception
    {
        try (ScriptedBulkServer server = new ScriptedBulkServer(channel ->
        {
            ScriptedBulkServer.readDownloadRequest(channel);
            ScriptedBulkServer.drainUpload(channel);
        }))
        {
            final long startNs = System.nanoTime();
            final IOException ex = assertThrows(IOException.class, () -> BulkClient.run(
                server.address(), Direction.DOWNLOAD, 2, MIB, TimeUnit.MILLISECONDS.toNanos(300)));
            assertTrue(ex.getMessage().contains("did not finish within"), ex.getMessage());
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5));
        }
    }

    @Test
    void shouldReportACorruptedUploadFromTheServer() throws Exception
    {
        try (BulkServer server = startServer(1); SocketChannel channel = SocketChannel.open(server.address()))
        {
            final ByteBuffer upload = ByteBuffer.allocate(1 + 2 * BulkProtocol.BLOCK_BYTES);
            upload.put(BulkProtocol.MODE_UPLOAD);
            final ByteBuffer pattern = BulkProtocol.newPatternBuffer();
            upload.put(pattern).put(pattern.flip()).flip();
            final int wrongOffset = BulkProtocol.CHECK_STRIDE_BYTES * 70;
            upload.put(1 + wrongOffset, (byte)~upload.get(1 + wrongOffset));
            while (upload.hasRemaining())
            {
                channel.write(upload);
            }
            channel.shutdownOutput();
            final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES);
            while (reply.hasRemaining() && channel.read(reply) >= 0)
            {
                // until the whole reply is in
            }
            assertEquals(-1 - wrongOffset, reply.getLong(0));
        }
    }

    @Test
    void shouldCloseOnAnUnknownMode() throws Exception
    {
        try (BulkServer server = startServer(1); SocketChannel channel = SocketChannel.open(server.address()))
        {
            channel.write(ByteBuffer.wrap(new byte[]{'X'}));
            assertEquals(-1, channel.read(ByteBuffer.allocate(16)));
        }
    }
}
