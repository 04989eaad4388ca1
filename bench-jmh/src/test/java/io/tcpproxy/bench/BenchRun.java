package io.tcpproxy.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of {@link BenchMain} in this JVM (it returns its exit code instead of exiting), with what it printed.
 *
 * @param exit the exit code.
 * @param out what it printed to standard output.
 * @param err what it printed to standard error.
 */
record BenchRun(int exit, String out, String err)
{
    /**
     * @param args the command line.
     * @return the exit code and the standard output and error of the run.
     */
    static BenchRun of(final String... args)
    {
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final int exit = BenchMain.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);
        return new BenchRun(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    }

    /** @return both outputs, for an assertion message. */
    String describe()
    {
        return "stdout:\n" + out + "\nstderr:\n" + err;
    }

    /**
     * Fails unless the run exited with 0 and its standard output holds every fragment.
     *
     * @param fragments to find in the standard output.
     */
    void assertSucceededPrinting(final String... fragments)
    {
        if (exit != 0)
        {
            throw new AssertionError("exit " + exit + "\n" + describe());
        }
        for (final String fragment : fragments)
        {
            if (!out.contains(fragment))
            {
                throw new AssertionError("no \"" + fragment + "\" in the output:\n" + out);
            }
        }
    }
}
