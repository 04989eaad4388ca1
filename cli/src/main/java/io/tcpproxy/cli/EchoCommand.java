package io.tcpproxy.cli;

import io.tcpproxy.config.HostPort;
import io.tcpproxy.echo.EchoServer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tcp-proxy echo}: an echo server to put behind the proxy in tests and benchmarks; runs until SIGINT/SIGTERM.
 */
final class EchoCommand
{
    static final String DEFAULT_LISTEN = "127.0.0.1:8081";
    static final int MAX_THREADS = 1024;

    private final CommandSpec spec;
    private final OptionSpec listenOption;
    private final OptionSpec threadsOption;
    private final OptionSpec bufferOption;

    EchoCommand()
    {
        spec = CommandSpec.create().name(TcpProxyCli.ECHO).mixinStandardHelpOptions(true)
            .version(TcpProxyCli.NAME + " " + Version.text());
        spec.usageMessage()
            .description("Run an echo server: every byte received is sent back; a half-close is echoed too.")
            .sortOptions(true);

        listenOption = OptionSpec.builder("--listen", "--listen-addr")
            .paramLabel("HOST:PORT")
            .type(String.class)
            .defaultValue(DEFAULT_LISTEN)
            .description("where to listen; port 0 binds a free port (default: " + DEFAULT_LISTEN + ")")
            .build();
        threadsOption = OptionSpec.builder("--threads")
            .paramLabel("N")
            .type(Integer.class)
            .defaultValue(Integer.toString(Runtime.getRuntime().availableProcessors()))
            .description("selector threads (default: available processors)")
            .build();
        bufferOption = OptionSpec.builder("--buffer-size")
            .paramLabel("BYTES")
            .type(Integer.class)
            .defaultValue(Integer.toString(EchoServer.DEFAULT_BUFFER_BYTES))
            .description("bytes read at most at once (default: " + EchoServer.DEFAULT_BUFFER_BYTES + ")")
            .build();
        spec.addOption(listenOption);
        spec.addOption(threadsOption);
        spec.addOption(bufferOption);
    }

    CommandSpec spec()
    {
        return spec;
    }

    int execute(final ParseResult parseResult, final PrintStream out, final PrintStream err)
    {
        final HostPort listen;
        try
        {
            listen = HostPort.parse(listenOption.getValue());
        }
        catch (final IllegalArgumentException ex)
        {
            return TcpProxyCli.usageError(err, "--listen: " + ex.getMessage());
        }
        final int threads = threadsOption.getValue();
        if (threads < 1 || threads > MAX_THREADS)
        {
            return TcpProxyCli.usageError(
                err, "--threads: expected an integer from 1 to " + MAX_THREADS + ", got " + threads);
        }
        final int bufferBytes = bufferOption.getValue();
        if (bufferBytes < 1 || bufferBytes > EchoServer.MAX_BUFFER_BYTES)
        {
            return TcpProxyCli.usageError(
                err, "--buffer-size: expected an integer from 1 to " + EchoServer.MAX_BUFFER_BYTES + ", got " +
                bufferBytes);
        }

        final CountDownLatch stop = new CountDownLatch(1);
        Signals.handle("INT", stop::countDown);
        Signals.handle("TERM", stop::countDown);

        final EchoServer server;
        try
        {
            server = EchoServer.start(listen.resolve(), threads, bufferBytes);
        }
        catch (final IOException ex)
        {
            err.println(TcpProxyCli.NAME + ": error: cannot start the echo server on " + listen + ": " +
                ex.getMessage());
            err.flush();
            return RunCommand.startFailureStatus(ex);
        }

        try (server)
        {
            out.println("echo server listening on " + HostPort.format(server.localAddress()));
            out.flush();
            stop.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return TcpProxyCli.EXIT_OK;
    }
}
