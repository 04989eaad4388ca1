package io.tcpproxy.bench.bulk;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;

/**
 * {@code bulk-server --listen HOST:PORT [--threads N]}: runs the {@link BulkServer} until the process is stopped,
 * after printing {@code bulk server listening on HOST:PORT}. The {@code bulk} command starts it as a child process.
 */
public final class BulkServerMain
{
    private BulkServerMain()
    {
    }

    /**
     * @param args {@code bulk-server} and its options.
     * @param out  where the listening line goes.
     * @return never returns normally unless the server stops.
     * @throws IOException          when it cannot listen.
     * @throws InterruptedException when interrupted.
     */
    public static int run(final String[] args, final PrintStream out) throws IOException, InterruptedException
    {
        String listen = "127.0.0.1:0";
        int threads = 1;
        for (int i = 1; i < args.length; i++)
        {
            final String option = args[i];
            if (i + 1 >= args.length)
            {
                throw new BulkUsageException("bulk-server: " + option + " needs a value; expected --listen HOST:PORT " +
                    "[--threads N]");
            }
            final String value = args[++i];
            switch (option)
            {
                case "--listen" -> listen = value;
                case "--threads" -> threads = threads(value);
                default -> throw new BulkUsageException("unknown option for 'bulk-server': " + option +
                    "; expected --listen HOST:PORT [--threads N]");
            }
        }
        final BulkServer server = BulkServer.start(parseAddress(listen), threads);
        final InetSocketAddress address = server.address();
        out.println(BulkServer.LISTENING_MARKER + address.getHostString() + ":" + address.getPort() +
            " (" + threads + " thread" + (threads == 1 ? "" : "s") + ")");
        out.flush();
        server.awaitStop();
        return 0;
    }

    static InetSocketAddress parseAddress(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new BulkUsageException("expected HOST:PORT, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        try
        {
            final int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535)
            {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, port);
        }
        catch (final NumberFormatException ex)
        {
            throw new BulkUsageException("expected a port from 0 to 65535 in \"" + text + "\"");
        }
    }

    private static int threads(final String text)
    {
        try
        {
            final int threads = Integer.parseInt(text);
            if (threads < 1 || threads > 64)
            {
                throw new NumberFormatException();
            }
            return threads;
        }
        catch (final NumberFormatException ex)
        {
            throw new BulkUsageException("--threads expects an integer from 1 to 64, got \"" + text + "\"");
        }
    }
}
