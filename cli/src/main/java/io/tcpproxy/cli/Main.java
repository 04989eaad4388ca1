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
     * Run the command line and exit with its status: 0 after a clean stop or help, 2 for a bad configuration or usage
     * (an address in use or that cannot be bound included), 1 when the proxy cannot start for another reason or
     * fails unexpectedly.
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
