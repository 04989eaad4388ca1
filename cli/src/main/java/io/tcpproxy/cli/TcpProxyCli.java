package io.tcpproxy.cli;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The command line: {@code tcp-proxy [run] [options]} and {@code tcp-proxy echo [options]}. Callable in-process;
 * {@link Main} only adds the process exit.
 */
public final class TcpProxyCli
{
    /** Exit status after a clean stop or after printing help. */
    public static final int EXIT_OK = 0;
    /** Exit status when the proxy or echo server cannot start for a reason other than its configuration. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit status for a bad configuration, flag or command, an address in use or one that cannot be bound. */
    public static final int EXIT_USAGE = 2;

    static final String NAME = "tcp-proxy";
    static final String RUN = "run";
    static final String ECHO = "echo";
    static final String HELP = "help";

    /**
     * Every command of {@code ./tcp-proxy}, sorted, one line each. run, echo and help live in this jar; the others in
     * the benchmark jar (bench-jmh/target/tcp-proxy-bench.jar), which the launcher script runs for them.
     */
    static final SortedMap<String, String> COMMANDS = new TreeMap<>(Map.of(
        "bench", "benchmark the proxy against direct over the scenario matrix",
        "bulk", "bulk throughput benchmark: one-way streams, proxy and direct",
        "demo", "echo server + proxy + light load, kept up until Ctrl+C",
        ECHO, "run an echo server (an upstream for tests and benchmarks)",
        HELP, "list the commands, or show one command's options",
        "idle-check", "hold N idle connections to an endpoint, then check each",
        "loadgen", "drive load against running echo endpoints; RPS, latency",
        RUN, "run the proxy (the default when no command is given)",
        "soak", "long mixed load; fails on RSS/fd growth or wrong totals"));

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

        if (args.length > 0 && HELP.equals(args[0]))
        {
            return help(commandLine, args, out, err);
        }
        final String[] effectiveArgs = withDefaultCommand(args);
        if (effectiveArgs == null)
        {
            return usageError(err, COMMANDS.containsKey(args[0]) ? benchJarOnly(args[0]) :
                "unknown command '" + args[0] + "' (the commands are " + String.join(", ", COMMANDS.keySet()) + ")");
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
                return usageError(err, "no command given (the commands are " + String.join(", ", COMMANDS.keySet()) + ")");
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

    /**
     * {@code help}: the command list; {@code help COMMAND}: that command's options.
     */
    private static int help(final CommandLine commandLine, final String[] args, final PrintStream out,
        final PrintStream err)
    {
        if (args.length == 1 || args[1].startsWith("-"))
        {
            commandLine.usage(out);
            out.flush();
            return EXIT_OK;
        }
        final String command = args[1];
        final CommandLine subcommand = commandLine.getSubcommands().get(command);
        if (subcommand != null && args.length == 2)
        {
            subcommand.usage(out);
            out.flush();
            return EXIT_OK;
        }
        if (COMMANDS.containsKey(command))
        {
            return usageError(err, benchJarOnly(command));
        }
        return usageError(err, "unknown command '" + command + "' (the commands are " +
            String.join(", ", COMMANDS.keySet()) + ")");
    }

    private static String benchJarOnly(final String command)
    {
        return "'" + command + "' is in the benchmark jar: run it as './tcp-proxy " + command +
            "' (or java -jar bench-jmh/target/tcp-proxy-bench.jar " + command + ")";
    }

    /**
     * The command list of the top-level help: every command, sorted, one line each.
     */
    static String commandList()
    {
        final StringBuilder list = new StringBuilder();
        final int width = COMMANDS.keySet().stream().mapToInt(String::length).max().orElse(0) + 2;
        for (final Map.Entry<String, String> command : COMMANDS.entrySet())
        {
            list.append("  ").append(command.getKey()).append(" ".repeat(width - command.getKey().length()))
                .append(command.getValue()).append("%n");
        }
        return String.format(list.toString());
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
            .synopsisSubcommandLabel("[COMMAND]")
            .footer("", "'" + NAME + " COMMAND --help' or '" + NAME + " help COMMAND' shows a command's options.",
                "Exit status: 0 stopped cleanly (or help); 2 bad configuration, flag or command, or an address in " +
                "use; 1 any other failure.");

        final CommandLine commandLine = new CommandLine(top);
        commandLine.addSubcommand(RUN, new CommandLine(runCommand.spec()));
        commandLine.addSubcommand(ECHO, new CommandLine(echoCommand.spec()));
        commandLine.setOverwrittenOptionsAllowed(true);
        commandLine.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, (help) -> commandList());
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
