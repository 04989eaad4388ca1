package io.tcpproxy.http;

/**
 * Closing on paths where a failure to close changes nothing: the socket or selector is being given up anyway.
 */
final class Closeables
{
    private Closeables()
    {
    }

    static void closeQuietly(final AutoCloseable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
            }
        }
    }
}
