package io.tcpproxy.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The route table: one handler per exact path. Adding an endpoint is one {@link #add} call where the responder
 * is built ({@link HttpMetricsEndpoint#defaultRoutes}). Built once, then only read by the responder thread.
 */
final class Routes
{
    private byte[][] paths = new byte[0][];
    private RouteHandler[] handlers = new RouteHandler[0];

    /**
     * @param path    exact path, starting with '/', without a query.
     * @param handler answers it.
     * @return this, to chain.
     */
    Routes add(final String path, final RouteHandler handler)
    {
        if (path.isEmpty() || '/' != path.charAt(0) || path.indexOf('?') >= 0)
        {
            throw new IllegalArgumentException("a route path starts with '/' and has no query: " + path);
        }
        final byte[] bytes = path.getBytes(StandardCharsets.US_ASCII);
        for (final byte[] existing : paths)
        {
            if (Arrays.equals(existing, bytes))
            {
                throw new IllegalArgumentException("route already defined: " + path);
            }
        }
        paths = Arrays.copyOf(paths, paths.length + 1);
        handlers = Arrays.copyOf(handlers, handlers.length + 1);
        paths[paths.length - 1] = bytes;
        handlers[handlers.length - 1] = handler;
        return this;
    }

    /**
     * @return the handler for the last parsed request's path, or null when no route matches.
     */
    RouteHandler find(final RequestParser request)
    {
        for (int i = 0; i < paths.length; i++)
        {
            if (request.pathIs(paths[i]))
            {
                return handlers[i];
            }
        }
        return null;
    }

    /**
     * @return the paths in the order added, for the 404 hint.
     */
    String describe()
    {
        final StringBuilder out = new StringBuilder();
        for (final byte[] path : paths)
        {
            if (out.length() > 0)
            {
                out.append(", ");
            }
            out.append(new String(path, StandardCharsets.US_ASCII));
        }
        return out.toString();
    }
}
