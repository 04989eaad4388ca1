package io.tcpproxy.cli;

/**
 * Entry point of the runnable jar: {@code java -jar tcp-proxy.jar [run|echo] [options]}.
 */
public final class Main
{
    private Main()
    {
    }

    /**
     * Run the command line and exit with its status: 0 after a clean stop, 2 for a bad configuration or usage,
     * 1 when the proxy cannot start (e.g. an address is in use).
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        int status;
        try
        {
            status = TcpProxyCli.execute(args, System.out, System.err);
        }
        catch (final Throwable ex)
        {
            System.err.println("tcp-proxy: internal error: " + ex);
            ex.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }
}
