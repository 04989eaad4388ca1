package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;

import java.nio.ByteBuffer;

/**
 * Reads what a client sends before relaying starts (a PROXY-protocol header, a TLS ClientHello to peek at), one
 * instance per connection, on the worker's thread. The worker reads the client's bytes into a relay buffer and calls
 * {@link #consume(ByteBuffer)} after every read until the handler is done; bytes left in the buffer then are the
 * first bytes relayed upstream.
 */
public interface PreambleHandler
{
    /** What a handler says after looking at the bytes read so far. */
    enum Outcome
    {
        /** Read more (the unconsumed bytes stay in the buffer, compacted to its start). */
        NEED_MORE,
        /** The preamble is complete: connect upstream and relay the bytes from the buffer's position on. */
        DONE,
        /** Close the connection with {@link #closeReason()}. */
        CLOSE
    }

    /**
     * @param bytes the bytes read so far, from position to limit; advance the position past what is consumed.
     * @return what to do next.
     */
    Outcome consume(ByteBuffer bytes);

    /** @return why to close, after {@link #consume(ByteBuffer)} returned {@link Outcome#CLOSE}. */
    CloseReason closeReason();

    /** Makes a handler for each accepted connection. */
    interface Factory
    {
        /**
         * @param clientAddress the client's IP address bytes.
         * @param clientPort    the client's port.
         * @return a handler for this connection, or null to connect upstream at once.
         */
        PreambleHandler newHandler(byte[] clientAddress, int clientPort);
    }
}
