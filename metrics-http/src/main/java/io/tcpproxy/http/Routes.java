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
    private byte[][] prefixes = new byte[0][];
    private RouteHandler[] prefixHandlers = new RouteHandler[0];

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
     * A handler for every path under a prefix (e.g. {@code /admin/}), which tells its own paths apart; exact paths
     * win over prefixes.
     *
     * @param prefix  starting with '/', without a query.
     * @param handler answers every path that starts with the prefix.
     * @return this, to chain.
     */
    Routes addPrefix(final String prefix, final RouteHandler handler)
    {
        if (prefix.isEmpty() || '/' != prefix.charAt(0) || prefix.indexOf('?') >= 0)
        {
            throw new IllegalArgumentException("a route prefix starts with '/' and has no query: " + prefix);
        }
        prefixes = Arrays.copyOf(prefixes, prefixes.length + 1);
        prefixHandlers = Arrays.copyOf(prefixHandlers, prefixHandlers.length + 1);
        prefixes[prefixes.length - 1] = prefix.getBytes(StandardCharsets.US_ASCII);
        prefixHandlers[prefixHandlers.length - 1] = handler;
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
        for (int i = 0; i < prefixes.length; i++)
        {
            if (request.pathStartsWith(prefixes[i]))
            {
                return prefixHandlers[i];
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
