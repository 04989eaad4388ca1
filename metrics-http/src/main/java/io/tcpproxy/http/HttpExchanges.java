package io.tcpproxy.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * Request and response on each connection: reads request heads ({@link RequestParser}), has the
 * {@link RouteDispatcher} answer them, sends what the {@link ResponseWriter} built, appends event frames for
 * {@link EventStream} subscribers, and lingers after a closing response. Owned by the responder thread.
 */
final class HttpExchanges implements ResponseWriter.Sender, EventStream.Publisher
{
    private static final int MAX_RETAINED_RESPONSE_BYTES = 1024 * 1024;
    private static final int MAX_LINGER_DISCARD_BYTES = 64 * 1024;

    private static final byte[] BAD_REQUEST = ResponseWriter.ascii("bad request\n");
    private static final byte[] HEAD_TOO_LARGE = ResponseWriter.ascii("request header fields too large\n");

    private final HttpLimits limits;
    private final HttpConnections connections;
    private final ResponderCounters counters;
    private final EventStream events;
    private final RouteDispatcher dispatcher;
    private final RequestParser parser = new RequestParser();
    private final ResponseWriter response;

    HttpExchanges(
        final HttpLimits limits,
        final HttpConnections connections,
        final ResponderCounters counters,
        final EventStream events,
        final RouteDispatcher dispatcher)
    {
        this.limits = limits;
        this.connections = connections;
        this.counters = counters;
        this.events = events;
        this.dispatcher = dispatcher;
        response = new ResponseWriter(counters, this);
    }

    void onReadable(final HttpConnection connection) throws IOException
    {
        final ByteBuffer in = connection.in;
        if (connection.lingering || connection.streaming)
        {
            in.clear();
            final int read = connection.channel.read(in);
            in.clear();
            if (read < 0 ||
                connection.lingering && (connection.discardedBytes += read) > MAX_LINGER_DISCARD_BYTES)
            {
                connections.close(connection);
            }
            return;
        }

        final int before = in.position();
        final int read = connection.channel.read(in);
        if (0 != read)
        {
            connection.heardFrom = true;
        }
        if (read < 0)
        {
            connection.inputClosed = true;
        }
        else if (0 == before && read > 0)
        {
            connections.arm(connection, System.nanoTime() + limits.headTimeoutNs());
        }
        process(connection);
    }

    void onWritable(final HttpConnection connection) throws IOException
    {
        if (connection.channel.write(connection.out) > 0)
        {
            connections.arm(connection, System.nanoTime() + limits.writeTimeoutNs());
        }
        if (!connection.out.hasRemaining())
        {
            onResponseWritten(connection);
            if (null != connection.channel && !connection.lingering)
            {
                process(connection);
            }
        }
    }

    private void process(final HttpConnection connection)
    {
        final ByteBuffer in = connection.in;
        while (!connection.writing && !connection.closeAfterWrite && !connection.streaming &&
            null != connection.channel)
        {
            final int length = in.position();
            if (0 == length)
            {
                break;
            }

            final int result = parser.parse(in, length, connection.scannedTo);
            if (RequestParser.NEED_MORE == result)
            {
                connection.scannedTo = parser.scannedTo;
                if (length == in.capacity())
                {
                    response.begin(connection, false, false).status(431).text(HEAD_TOO_LARGE);
                }
                break;
            }

            connection.scannedTo = 0;
            if (RequestParser.BAD_REQUEST == result)
            {
                response.begin(connection, false, false).status(400).text(BAD_REQUEST);
                break;
            }

            final int headLength = parser.headLength;
            connection.progressNs = System.nanoTime();
            dispatcher.answer(connection, parser, response);
            if (null == connection.channel || connection.lingering)
            {
                return;
            }
            // The handler read the path and query in place, so the head is consumed only after it answered.
            consume(in, headLength);
            if (!connection.writing && !connection.streaming)
            {
                final long timeoutNs = in.position() > 0 ? limits.headTimeoutNs() : limits.idleTimeoutNs();
                connections.arm(connection, System.nanoTime() + timeoutNs);
            }
        }

        if (null == connection.channel || connection.lingering)
        {
            return;
        }
        if (connection.writing)
        {
            connections.interest(connection, SelectionKey.OP_WRITE);
        }
        else if (connection.inputClosed)
        {
            connections.close(connection);
        }
        else
        {
            connections.interest(connection, SelectionKey.OP_READ);
        }
    }

    /**
     * Sends what the response writer put into the connection's output buffer.
     */
    public void send(final HttpConnection connection)
    {
        final long nowNs = System.nanoTime();
        connections.arm(connection, nowNs + limits.writeTimeoutNs());
        try
        {
            connection.channel.write(connection.out);
        }
        catch (final IOException ex)
        {
            connections.close(connection);
            return;
        }
        if (connection.streaming && connection.streamIndex < 0)
        {
            events.add(connection);
        }
        if (connection.out.hasRemaining())
        {
            counters.deferredWrites++;
            connections.interest(connection, SelectionKey.OP_WRITE);
        }
        else
        {
            onResponseWritten(connection);
        }
    }

    /**
     * Append one event frame to a stream subscriber's output, or drop the subscriber when the frame would take its
     * unsent backlog beyond the bound: a client that does not read is never buffered without limit.
     */
    public void publish(final HttpConnection subscriber, final byte[] frame, final int length)
    {
        ByteBuffer out = subscriber.out;
        final int pending = subscriber.writing ? out.remaining() : 0;
        if (pending + length > limits.maxEventBacklogBytes())
        {
            connections.close(subscriber);
            counters.eventClientsDropped++;
            return;
        }
        if (subscriber.writing)
        {
            out.compact();
        }
        else
        {
            out.clear();
        }
        if (out.remaining() < length)
        {
            final int capacity = Math.max(out.position() + length, out.capacity() * 2);
            final ByteBuffer larger = ByteBuffer.allocateDirect(capacity);
            out.flip();
            larger.put(out);
            out = larger;
            subscriber.out = larger;
        }
        out.put(frame, 0, length).flip();
        final boolean wasWriting = subscriber.writing;
        subscriber.writing = true;
        if (wasWriting)
        {
            return; // OP_WRITE is set and the write deadline runs from the last progress
        }
        send(subscriber);
    }

    private void onResponseWritten(final HttpConnection connection)
    {
        connection.writing = false;
        if (connection.out.capacity() > MAX_RETAINED_RESPONSE_BYTES)
        {
            // Pooled connections would otherwise each pin the direct memory of the largest response they ever sent.
            connection.out = ByteBuffer.allocateDirect(HttpConnections.INITIAL_RESPONSE_BYTES);
        }
        connection.out.clear();
        if (connection.closeAfterWrite)
        {
            startLingering(connection);
        }
        else if (connection.streaming)
        {
            // An event stream waits for the next event; only its writes are timed.
            connection.deadlineNs = System.nanoTime() + HttpConnections.NO_DEADLINE_NS;
            connections.interest(connection, SelectionKey.OP_READ);
        }
        else
        {
            final long timeoutNs = connection.in.position() > 0 ? limits.headTimeoutNs() : limits.idleTimeoutNs();
            connections.arm(connection, System.nanoTime() + timeoutNs);
        }
    }

    /**
     * Send FIN and read until the client closes, so unread request bytes do not turn the close into a reset that
     * could destroy the response before the client reads it.
     */
    private void startLingering(final HttpConnection connection)
    {
        if (connection.inputClosed)
        {
            connections.close(connection);
            return;
        }
        try
        {
            connection.channel.shutdownOutput();
        }
        catch (final IOException ex)
        {
            connections.close(connection);
            return;
        }
        connection.lingering = true;
        connection.in.clear();
        connections.arm(connection, System.nanoTime() + limits.lingerTimeoutNs());
        connections.interest(connection, SelectionKey.OP_READ);
    }

    private static void consume(final ByteBuffer in, final int bytes)
    {
        final int remaining = in.position() - bytes;
        if (remaining > 0)
        {
            in.put(0, in, bytes, remaining);
        }
        in.position(remaining);
    }
}
