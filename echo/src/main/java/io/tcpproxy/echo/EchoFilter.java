package io.tcpproxy.echo;

import java.nio.ByteBuffer;

/**
 * Sees each read before it is echoed, on the selector thread that owns the connection: the tests' echo server uses
 * it to misbehave on purpose (flip bytes, close early, stall). Blocking in it stalls every connection of that thread.
 */
@FunctionalInterface
public interface EchoFilter
{
    /** Echoes every byte as read. */
    EchoFilter NONE = (offsetBytes, bytes) -> true;

    /**
     * @param offsetBytes how many bytes the connection had sent before these.
     * @param bytes       the bytes just read, from its position to its limit; they may be changed in place.
     * @return true to echo them, false to close the connection without echoing them.
     */
    boolean onRead(long offsetBytes, ByteBuffer bytes);
}
