package io.tcpproxy.http;

/**
 * {@code GET /events}: turns the connection into a Server-Sent Events stream; {@link EventStream} then sends it
 * one snapshot a second.
 */
final class EventsHandler implements RouteHandler
{
    /** Asks the browser to reconnect 2 s after the stream ends (a restart of the proxy). */
    private static final byte[] PREAMBLE = ResponseWriter.ascii("retry: 2000\n\n");

    public void handle(final RequestParser request, final ResponseWriter response)
    {
        response.status(200).stream("text/event-stream; charset=utf-8", PREAMBLE);
    }
}
