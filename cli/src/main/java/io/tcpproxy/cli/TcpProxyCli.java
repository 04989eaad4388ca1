package io.tcpproxy.cli;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;

/**
 * The command line: {@code tcp-proxy [run] [options]} and {@code tcp-proxy echo [options]}. Callable in-process;
 * {@link Main} only adds the process exit.
 */
public final class TcpProxyCli
{
    /** Exit status after a clean stop or after printing help. */
    public static final int EXIT_OK = 0;
    /** Exit status when the proxy or echo server cannot start, e.g. an address is in use. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit status for a bad configuration, flag or command. */
    public static final int EXIT_USAGE = 2;

    static final String NAME = "tcp-proxy";
    static final String RUN = "run";
    static final String ECHO = "echo";

    private TcpProxyCli()
    {
    }

    /**
     * Parse and run a command line. {@code run} and {@code echo} block until SIGINT or SIGTERM stops them.
     *
     * @param args the command line; with no command (or only options) it is {@code run}.
     * @param out  where the startup line and help go.
     * @param err  where errors go, one line each.
     * @return the exit status.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final RunCommand runCommand = new RunCommand();
        final EchoCommand echoCommand = new EchoCommand();
        final CommandLine commandLine = commandLine(runCommand, echoCommand, out, err);

        final String[] effectiveArgs = withDefaultCommand(args);
        if (effectiveArgs == null)
        {
            return usageError(err, "unknown command '" + args[0] + "' (the commands are run and echo)");
        }

        try
        {
            final ParseResult parseResult = commandLine.parseArgs(effectiveArgs);
            if (CommandLine.printHelpIfRequested(parseResult))
            {
                out.flush();
                return EXIT_OK;
            }
            if (!parseResult.hasSubcommand())
            {
                return usageError(err, "no command given (the commands are run and echo)");
            }

            final ParseResult commandResult = parseResult.subcommand();
            if (ECHO.equals(commandResult.commandSpec().name()))
            {
                return echoCommand.execute(commandResult, out, err);
            }
            return runCommand.execute(commandResult, out, err);
        }
        catch (final UnmatchedArgumentException ex)
        {
            final List<String> suggestions = ex.getSuggestions();
            final String hint = suggestions.isEmpty() ? "" : " (did you mean " + suggestions.get(0) + "?)";
            return usageError(err, firstLine(ex.getMessage()) + hint);
        }
        catch (final ParameterException ex)
        {
            return usageError(err, firstLine(ex.getMessage()));
        }
        catch (final ConfigException ex)
        {
            return usageError(err, ex.getMessage());
        }
    }

    /**
     * The configuration {@code run} would use for these arguments, without starting anything.
     *
     * @param args a {@code run} command line (the word {@code run} may be left out).
     * @return the configuration: file (or defaults) overridden by the flags.
     * @throws ConfigException for a bad file or flag value.
     * @throws ParameterException for an unknown flag or a missing flag value.
     */
    public static Config resolveRunConfig(final String[] args)
    {
        final RunCommand runCommand = new RunCommand();
        final PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        final CommandLine commandLine = commandLine(runCommand, new EchoCommand(), nowhere, nowhere);
        final String[] effectiveArgs = withDefaultCommand(args);
        if (effectiveArgs == null || !RUN.equals(effectiveArgs[0]))
        {
            throw new IllegalArgumentException("not a run command line: " + String.join(" ", args));
        }
        return runCommand.resolveConfig(commandLine.parseArgs(effectiveArgs).subcommand());
    }

    static int usageError(final PrintStream err, final String message)
    {
        err.println(NAME + ": error: " + message);
        err.flush();
        return EXIT_USAGE;
    }

    /**
     * No arguments, or options without a command, mean {@code run}; help and version stay with the top command.
     *
     * @return the arguments to parse, or null when the first word is not a command.
     */
    static String[] withDefaultCommand(final String[] args)
    {
        if (args.length > 0)
        {
            final String first = args[0];
            if (RUN.equals(first) || ECHO.equals(first) || isTopLevelOption(first))
            {
                return args;
            }
            if (!first.startsWith("-"))
            {
                return null;
            }
        }

        final String[] withRun = new String[args.length + 1];
        withRun[0] = RUN;
        System.arraycopy(args, 0, withRun, 1, args.length);
        return withRun;
    }

    private static boolean isTopLevelOption(final String arg)
    {
        return "-h".equals(arg) || "--help".equals(arg) || "-V".equals(arg) || "--version".equals(arg);
    }

    private static CommandLine commandLine(
        final RunCommand runCommand, final EchoCommand echoCommand, final PrintStream out, final PrintStream err)
    {
        final CommandSpec top = CommandSpec.create()
            .name(NAME)
            .version(NAME + " " + Version.text())
            .mixinStandardHelpOptions(true);
        top.usageMessage()
            .description(
                "A layer-4 TCP proxy: forwards every byte between clients and an upstream, with metrics.",
                "With no command, runs the proxy with ./proxy.toml (or the built-in defaults when it is absent).")
            .footer("", "See '" + NAME + " run --help' and '" + NAME + " echo --help'.");

        final CommandLine commandLine = new CommandLine(top);
        commandLine.addSubcommand(RUN, new CommandLine(runCommand.spec()));
        commandLine.addSubcommand(ECHO, new CommandLine(echoCommand.spec()));
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine;
    }

    private static String firstLine(final String message)
    {
        final String text = message == null ? "invalid command line" : message.trim();
        final int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline).trim();
    }
}
