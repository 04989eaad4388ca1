package io.tcpproxy.testsupport;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a test opened (servers, proxies, sockets), closed in reverse order by {@link #close()}: the last opened may
 * depend on the earlier ones, as a proxy on its upstreams.
 */
public final class Closer implements AutoCloseable
{
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /**
     * @param resource to close with the others.
     * @param <T> its type.
     * @return {@code resource}.
     */
    public synchronized <T extends AutoCloseable> T add(final T resource)
    {
        opened.push(resource);
        return resource;
    }

    /**
     * Closes everything added, the last added first; every one is closed even when an earlier close throws.
     *
     * @throws IOException the first close failure (wrapped unless it was one), the later ones suppressed in it.
     */
    @Override
    public synchronized void close() throws IOException
    {
        IOException failure = null;
        while (!opened.isEmpty())
        {
            try
            {
                opened.pop().close();
            }
            catch (final Exception ex)
            {
                if (failure == null)
                {
                    failure = ex instanceof IOException ? (IOException)ex : new IOException("close failed: " + ex, ex);
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        if (failure != null)
        {
            throw failure;
        }
    }
}
