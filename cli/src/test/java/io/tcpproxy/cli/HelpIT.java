package io.tcpproxy.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Help as a new user reaches it: through the launcher script ({@code ./tcp-proxy --help}, {@code ./tcp-proxy help})
 * and through the jar; every command listed once, one line each, sorted; option lists sorted.
 */
class HelpIT
{
    private static final Path LAUNCHER = Path.of("..", "tcp-proxy").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldListEveryCommandOneLineEachThroughTheLauncher() throws Exception
    {
        for (final String helpArg : List.of("--help", "help", "-h"))
        {
            final Result result = launcher(helpArg);
            assertEquals(0, result.status(), result.toString());
            assertEquals(new ArrayList<>(TcpProxyCli.COMMANDS.keySet()), listedCommands(result.stdout()),
                "./tcp-proxy " + helpArg + result);
        }
    }

    @Test
    void shouldListTheBenchmarkCommandsAmongThem()
    {
        assertTrue(TcpProxyCli.COMMANDS.keySet().containsAll(
            List.of("bench", "bulk", "demo", "echo", "help", "loadgen", "run", "soak")), TcpProxyCli.COMMANDS.toString());
    }

    @Test
    void shouldShowRunAndEchoOptionsSortedThroughTheLauncher() throws Exception
    {
        for (final List<String> args : List.of(
            List.of("run", "--help"), List.of("help", "run"), List.of("echo", "--help"), List.of("help", "echo")))
        {
            final Result result = launcher(args.toArray(new String[0]));
            assertEquals(0, result.status(), result.toString());
            assertTrue(result.stdout().startsWith("Usage: tcp-proxy " + args.get(args.get(0).equals("help") ? 1 : 0)),
                result.toString());
            final List<String> keys = optionSortKeys(result.stdout());
            assertTrue(keys.size() >= 4, "options listed: " + keys + result);
            final List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            assertEquals(sorted, keys, "options sorted in " + args);
        }
    }

    @Test
    void shouldListEveryCommandInTheJarsHelpToo() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "help");

        assertEquals(0, jar.exitValue(), jar.describeOutput());
        assertEquals(new ArrayList<>(TcpProxyCli.COMMANDS.keySet()), listedCommands(jar.stdout()), jar.describeOutput());
        assertTrue(jar.stderrLines().isEmpty(), jar.describeOutput());
    }

    @Test
    void shouldNameTheCommandsInSortedOrderForAnUnknownOne() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "serve");

        assertEquals(2, jar.exitValue(), jar.describeOutput());
        assertEquals(List.of("tcp-proxy: error: unknown command 'serve' (the commands are " +
            String.join(", ", TcpProxyCli.COMMANDS.keySet()) + ")"), jar.stderrLines());
    }

    @Test
    void shouldPointABenchmarkCommandGivenToTheProxyJarAtTheLauncher() throws IOException
    {
        final JarProcess jar = JarProcess.runToExit(dir, "help", "loadgen");

        assertEquals(2, jar.exitValue(), jar.describeOutput());
        assertEquals(1, jar.stderrLines().size(), jar.describeOutput());
        assertTrue(jar.stderrLines().get(0).contains("./tcp-proxy loadgen"), jar.describeOutput());
    }

    /**
     * The command names of the "Commands:" section, in order; fails unless each command takes exactly one line.
     */
    static List<String> listedCommands(final String help)
    {
        final List<String> lines = Arrays.asList(help.split("\n"));
        final int start = lines.indexOf("Commands:");
        assertTrue(start >= 0, "no Commands: section in\n" + help);
        final List<String> names = new ArrayList<>();
        for (int i = start + 1; i < lines.size() && !lines.get(i).isBlank(); i++)
        {
            final String line = lines.get(i);
            assertTrue(line.matches("  \\S+ +\\S.*"), "not one line per command: '" + line + "' in\n" + help);
            names.add(line.trim().split(" +")[0]);
        }
        return names;
    }

    /**
     * Per option row of a usage text, the shortest option name without its dashes, lower case: the order picocli
     * sorts by.
     */
    static List<String> optionSortKeys(final String help)
    {
        final List<String> keys = new ArrayList<>();
        for (final String line : help.split("\n"))
        {
            if (!line.matches(" {2}(-\\w,| {3}) --?\\w.*"))
            {
                continue;
            }
            String shortest = null;
            for (final String token : line.trim().split("[ ,=\\[]+"))
            {
                if (token.startsWith("-") && (shortest == null || token.length() < shortest.length()))
                {
                    shortest = token;
                }
            }
            keys.add(shortest.replaceFirst("^-+", "").toLowerCase(Locale.ROOT));
        }
        return keys;
    }

    private Result launcher(final String... args) throws Exception
    {
        assertTrue(Files.isExecutable(LAUNCHER), "the launcher script: " + LAUNCHER);
        final List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        // never build from inside the build: the jar under test is the one this build made
        builder.environment().put("TCP_PROXY_NO_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.redirectError(dir.resolve("stderr.txt").toFile());
        final Process process = builder.start();
        process.getOutputStream().close();
        final String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(JarProcess.TIMEOUT.toSeconds(), TimeUnit.SECONDS), "launcher still running");
        return new Result(process.exitValue(), stdout, Files.readString(dir.resolve("stderr.txt")));
    }

    private record Result(int status, String stdout, String stderr)
    {
        @Override
        public String toString()
        {
            return "\n--- status " + status + " ---\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }
}
