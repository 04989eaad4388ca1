package io.tcpproxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /}: the live dashboard, one self-contained HTML page from the class path. Its content security
 * policy forbids loading anything from elsewhere, so the page works on a machine without internet access.
 */
final class DashboardHandler implements RouteHandler
{
    static final String RESOURCE = "dashboard.html";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; " +
        "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

    private final byte[] page;

    DashboardHandler()
    {
        page = load();
    }

    public void handle(final RequestParser request, final ResponseWriter response)
    {
        response.status(200)
            .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            .header("X-Content-Type-Options", "nosniff")
            .body("text/html; charset=utf-8", page, page.length);
    }

    static byte[] load()
    {
        try (InputStream in = DashboardHandler.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException("dashboard page missing from the class path: " + RESOURCE);
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
