package io.tcpproxy.http;

/**
 * Answers one parsed request: checks the method and the absence of a body, finds the path's handler in the
 * {@link Routes} table and lets it write the response; 404, 405, 400 and 500 are answered here.
 */
final class RouteDispatcher
{
    private static final byte[] METHOD_NOT_ALLOWED = ResponseWriter.ascii("method not allowed\n");
    private static final byte[] BODY_NOT_ACCEPTED =
        ResponseWriter.ascii("bad request: request bodies are not accepted\n");

    private final Routes routes;
    private final ResponderCounters counters;
    private final byte[] notFound;

    RouteDispatcher(final Routes routes, final ResponderCounters counters)
    {
        this.routes = routes;
        this.counters = counters;
        notFound = ResponseWriter.ascii("not found: try " + routes.describe() + " or /metrics?format=json\n");
    }

    void answer(final HttpConnection connection, final RequestParser request, final ResponseWriter response)
    {
        final boolean headOnly = RequestParser.METHOD_HEAD == request.method;
        final RouteHandler handler = routes.find(request);
        final boolean postAccepted = null != handler && handler.acceptsPost();
        if (RequestParser.METHOD_OTHER == request.method ||
            RequestParser.METHOD_POST == request.method && !postAccepted)
        {
            final ResponseWriter writer = response.begin(connection, false, request.keepAlive && !request.hasBody);
            writer.status(405).header("Allow", postAccepted ? "GET, HEAD, POST" : "GET, HEAD");
            writer.text(METHOD_NOT_ALLOWED);
            return;
        }
        if (request.hasBody)
        {
            response.begin(connection, false, false).status(400).text(BODY_NOT_ACCEPTED);
            return;
        }
        final ResponseWriter writer = response.begin(connection, headOnly, request.keepAlive);
        if (null == handler)
        {
            writer.status(404).text(notFound);
            return;
        }
        try
        {
            handler.handle(request, writer);
        }
        catch (final RuntimeException ex)
        {
            counters.errors++;
            if (!connection.writing && null != connection.channel)
            {
                response.begin(connection, headOnly, false).status(500).text(MetricsHandler.INTERNAL_ERROR);
            }
        }
    }
}
