package io.tcpproxy.engine.relay;

import io.tcpproxy.CloseReason;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One direction of a connection: bytes read from {@code source} and written to {@code sink}.
 * Holds a buffer only while a write to the sink is partial.
 */
public final class Flow
{
    final Connection connection;
    final CloseReason sourceError;
    final CloseReason sinkError;
    final CloseReason finReason;
    SocketChannel source;
    SocketChannel sink;
    Flow reverse;

    /** Bytes read from the source but not yet fully written to the sink; null when nothing is pending. */
    public ByteBuffer pending;
    /** The source sent its FIN. */
    public boolean sourceEof;
    /** The sink's output has been shut down (FIN forwarded). */
    public boolean sinkShut;
    /** The last read filled an ordinary buffer: the next read takes a large one (fewer system calls on bulk). */
    boolean bulk;
    /** Reading paused because the worker's buffer pool was exhausted. */
    public boolean starved;
    /** Bytes relayed in this direction. */
    public long totalBytes;
    /** Bytes relayed and not yet published to the metrics ring. */
    public long unpublishedBytes;

    Flow(final Connection connection, final boolean upstreamBound)
    {
        this.connection = connection;
        this.sourceError = upstreamBound ? CloseReason.CLIENT_RESET : CloseReason.UPSTREAM_RESET;
        this.sinkError = upstreamBound ? CloseReason.UPSTREAM_RESET : CloseReason.CLIENT_RESET;
        this.finReason = upstreamBound ? CloseReason.CLIENT_FIN : CloseReason.UPSTREAM_FIN;
    }

    /** @return true once the source's FIN has been read (and so forwarded: EOF is only read with nothing pending). */
    boolean isDone()
    {
        return sourceEof;
    }

    /** @return true while the worker should read from the source. */
    boolean wantsRead()
    {
        return !sourceEof && pending == null && !starved;
    }
}
