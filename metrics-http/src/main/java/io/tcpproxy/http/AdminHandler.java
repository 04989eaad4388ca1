package io.tcpproxy.http;

import io.tcpproxy.admin.AdminOps;
import io.tcpproxy.admin.ConnectionInfo;
import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.admin.ReloadResult;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every path under {@code /admin/}: {@code POST /admin/reload}, {@code GET /admin/connections?limit=&after=},
 * {@code POST /admin/upstreams/{HOST:PORT}/drain|enable|disable}. Off (404, as an unknown path) while the proxy's
 * {@code admin_token} is empty; otherwise every request needs {@code Authorization: Bearer <admin_token>}, compared
 * in constant time. Every answered admin request is counted and logged through {@link AdminOps#requestServed}.
 */
final class AdminHandler implements RouteHandler
{
    static final String PREFIX = "/admin/";

    private static final String JSON = "application/json";
    private static final String RELOAD = "/admin/reload";
    private static final String CONNECTIONS = "/admin/connections";
    private static final String UPSTREAMS = "/admin/upstreams/";
    private static final int DEFAULT_LIMIT = 100;
    private static final byte[] NOT_FOUND = ResponseWriter.ascii("not found\n");
    private static final byte[] UNAUTHORIZED = ResponseWriter.ascii(
        "unauthorized: send the header Authorization: Bearer <admin_token>\n");
    private static final byte[] BEARER = ResponseWriter.ascii("Bearer ");

    private final AdminOps admin;

    AdminHandler(final AdminOps admin)
    {
        this.admin = admin;
    }

    public boolean acceptsPost()
    {
        return true;
    }

    public void handle(final RequestParser request, final ResponseWriter response)
    {
        final String token = admin.adminToken();
        if (token == null || token.isEmpty())
        {
            response.status(404).text(NOT_FOUND); // the admin API is off: as if the paths did not exist
            return;
        }
        final String method = methodName(request.method);
        final String path = request.path();
        final int status = authorized(request.authorization(), token) ?
            route(request, response, path) : unauthorized(response);
        admin.requestServed(method, path, status);
    }

    private static boolean authorized(final byte[] authorization, final String token)
    {
        final byte[] tokenBytes = token.getBytes(StandardCharsets.UTF_8);
        final byte[] expected = new byte[BEARER.length + tokenBytes.length];
        System.arraycopy(BEARER, 0, expected, 0, BEARER.length);
        System.arraycopy(tokenBytes, 0, expected, BEARER.length, tokenBytes.length);
        // constant time for a given length: a wrong token takes as long wherever it differs
        return authorization != null && MessageDigest.isEqual(authorization, expected);
    }

    private static int unauthorized(final ResponseWriter response)
    {
        response.status(401).header("WWW-Authenticate", "Bearer").text(UNAUTHORIZED);
        return 401;
    }

    private int route(final RequestParser request, final ResponseWriter response, final String path)
    {
        final boolean post = RequestParser.METHOD_POST == request.method;
        if (RELOAD.equals(path))
        {
            return post ? reload(response) : methodNotAllowed(response, "POST");
        }
        if (CONNECTIONS.equals(path))
        {
            return post ? methodNotAllowed(response, "GET, HEAD") : connections(request, response);
        }
        if (path.startsWith(UPSTREAMS))
        {
            final String rest = path.substring(UPSTREAMS.length());
            final int slash = rest.lastIndexOf('/');
            if (slash > 0 && slash < rest.length() - 1)
            {
                return post ? upstream(response, rest.substring(0, slash), rest.substring(slash + 1)) :
                    methodNotAllowed(response, "POST");
            }
        }
        response.status(404).text(NOT_FOUND);
        return 404;
    }

    private static int methodNotAllowed(final ResponseWriter response, final String allow)
    {
        response.status(405).header("Allow", allow)
            .text(ResponseWriter.ascii("method not allowed; use " + allow + "\n"));
        return 405;
    }

    private int reload(final ResponseWriter response)
    {
        final ReloadResult result = admin.reload();
        final StringBuilder out = new StringBuilder(256);
        out.append("{\"result\":");
        JsonFormat.string(out, result.result());
        out.append(",\"error\":");
        if (result.error() == null)
        {
            out.append("null");
        }
        else
        {
            JsonFormat.string(out, result.error());
        }
        out.append(",\"changes\":");
        strings(out, result.changes());
        out.append(",\"needs_restart\":");
        strings(out, result.needsRestart());
        out.append(",\"hash\":");
        JsonFormat.string(out, result.hash()).append("}\n");
        // a rejected reload is still a served request: the body says what was wrong with the file
        return json(response, 200, out);
    }

    private int connections(final RequestParser request, final ResponseWriter response)
    {
        final long after;
        final int limit;
        try
        {
            final String afterText = request.queryValue("after");
            final String limitText = request.queryValue("limit");
            after = afterText == null ? -1 : Long.parseLong(afterText);
            limit = limitText == null ? DEFAULT_LIMIT : Integer.parseInt(limitText);
        }
        catch (final NumberFormatException ex)
        {
            return badRequest(response, "after and limit are integers");
        }
        if (limit < 1 || limit > ConnectionPage.MAX_LIMIT)
        {
            return badRequest(response, "limit is 1 to " + ConnectionPage.MAX_LIMIT);
        }
        final ConnectionPage page = admin.connections(after, limit);
        final StringBuilder out = new StringBuilder(64 + page.connections().size() * 192);
        out.append("{\"connections\":[");
        boolean first = true;
        for (final ConnectionInfo connection : page.connections())
        {
            out.append(first ? "\n" : ",\n");
            first = false;
            out.append("{\"id\":").append(connection.id()).append(",\"client\":");
            JsonFormat.string(out, connection.client()).append(",\"upstream\":");
            if (connection.upstream() == null)
            {
                out.append("null");
            }
            else
            {
                JsonFormat.string(out, connection.upstream());
            }
            out.append(",\"worker\":").append(connection.worker())
                .append(",\"age_seconds\":").append(TimeUnit.NANOSECONDS.toMillis(connection.ageNs()) / 1000.0)
                .append(",\"bytes_upstream\":").append(connection.bytesUpstream())
                .append(",\"bytes_downstream\":").append(connection.bytesDownstream())
                .append(",\"state\":");
            JsonFormat.string(out, connection.state()).append('}');
        }
        out.append("\n],\"next_after\":");
        if (page.nextAfter() < 0)
        {
            out.append("null");
        }
        else
        {
            out.append(page.nextAfter());
        }
        out.append(",\"complete\":").append(page.complete()).append("}\n");
        return json(response, 200, out);
    }

    private int upstream(final ResponseWriter response, final String server, final String action)
    {
        final AdminOps.UpstreamActionResult result = admin.upstreamAction(server, action);
        switch (result)
        {
            case DONE:
                final StringBuilder out = new StringBuilder(96);
                out.append("{\"server\":");
                JsonFormat.string(out, server).append(",\"action\":");
                JsonFormat.string(out, action).append("}\n");
                return json(response, 200, out);
            case UNKNOWN_SERVER:
                response.status(404).text(ResponseWriter.ascii("no upstream server " + server + "\n"));
                return 404;
            default:
                response.status(404).text(ResponseWriter.ascii("unknown action " + action +
                    "; use drain, enable or disable\n"));
                return 404;
        }
    }

    private static int badRequest(final ResponseWriter response, final String why)
    {
        response.status(400).text(ResponseWriter.ascii(why + "\n"));
        return 400;
    }

    private static int json(final ResponseWriter response, final int status, final StringBuilder out)
    {
        final byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        response.status(status).body(JSON, body, body.length);
        return status;
    }

    private static void strings(final StringBuilder out, final List<String> values)
    {
        out.append('[');
        for (int i = 0; i < values.size(); i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            JsonFormat.string(out, values.get(i));
        }
        out.append(']');
    }

    private static String methodName(final int method)
    {
        switch (method)
        {
            case RequestParser.METHOD_GET:
                return "GET";
            case RequestParser.METHOD_HEAD:
                return "HEAD";
            case RequestParser.METHOD_POST:
                return "POST";
            default:
                return "OTHER";
        }
    }
}
