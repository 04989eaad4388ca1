package io.tcpproxy.engine.preamble;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.protocol.ProxyHeader;

import java.nio.ByteBuffer;

/**
 * Reads what a client sends before relaying starts (a PROXY-protocol header, a TLS ClientHello to peek at), one
 * instance per connection, on the worker's thread. The {@link PreambleReader} reads the client's bytes into a relay
 * buffer and calls {@link #consume} after every read until the handler is done; bytes left in the buffer then are
 * the first bytes relayed upstream. A handler may set the connection's {@link Connection#sourceAddress},
 * {@link Connection#sourcePort} and {@link Connection#poolIndex}, and its deadline
 * ({@link Connection#preambleDeadlineNs}).
 */
public interface PreambleHandler
{
    /** What a handler says after looking at the bytes read so far. */
    enum Outcome
    {
        /** Read more (the unconsumed bytes stay in the buffer, compacted to its start). */
        NEED_MORE,
        /** The bytes need a larger buffer (they are copied into one and {@link #consume} is called again). */
        GROW,
        /** The preamble is complete: connect upstream and relay the bytes from the buffer's position on. */
        DONE,
        /** Close the connection with {@link #closeReason()}. */
        CLOSE
    }

    /**
     * Called once, before any byte is read.
     *
     * @param connection just accepted.
     * @param nowNs      the worker's clock.
     * @return NEED_MORE to read, DONE to connect at once, CLOSE to refuse the client.
     */
    default Outcome start(final Connection connection, final long nowNs)
    {
        return Outcome.NEED_MORE;
    }

    /**
     * @param connection whose preamble this is.
     * @param bytes      the bytes read so far, from position to limit; advance the position past what is consumed.
     * @param nowNs      the worker's clock.
     * @return what to do next.
     */
    Outcome consume(Connection connection, ByteBuffer bytes, long nowNs);

    /** @return why to close, after an outcome {@link Outcome#CLOSE}. */
    CloseReason closeReason();

    /**
     * The connection's {@link Connection#preambleDeadlineNs} passed.
     *
     * @param connection whose preamble is late.
     * @param nowNs      the worker's clock.
     * @return DONE (relay what arrived, e.g. to a default pool) or CLOSE.
     */
    default Outcome onTimeout(final Connection connection, final long nowNs)
    {
        return Outcome.CLOSE;
    }

    /**
     * No larger buffer can be had (at {@link #maxBytes()}, or out of memory budget).
     *
     * @param connection whose preamble does not fit.
     * @return DONE or CLOSE.
     */
    default Outcome onBufferFull(final Connection connection)
    {
        return Outcome.CLOSE;
    }

    /**
     * @param bytesHeld bytes received and not yet consumed.
     * @return the close reason when the client ends its stream (or resets it) during the preamble.
     */
    default CloseReason onEndOfStream(final int bytesHeld)
    {
        return CloseReason.CLIENT_FIN;
    }

    /** @return the most bytes this preamble may need at once; a buffer is grown up to this. */
    default int maxBytes()
    {
        return 0;
    }

    /**
     * @return the PROXY-protocol header accepted from the client (its TLVs saved when sending v2), or null: what a
     *         header sent upstream is built from.
     */
    default ProxyHeader receivedHeader()
    {
        return null;
    }

    /** @return the pool index chosen by routing (counted per pool), or -1 when no routing happened. */
    default int routedPool()
    {
        return -1;
    }

    /** The preamble ended (done or closed by the reader): state may be reused. */
    default void release()
    {
    }

    /** Makes a handler for each accepted connection. */
    interface Factory
    {
        /**
         * @param connection just accepted ({@link Connection#sourceAddress} is the socket peer).
         * @return a handler for this connection, or null to connect upstream at once.
         */
        PreambleHandler newHandler(Connection connection);
    }
}
