package io.tcpproxy.bench;

import io.tcpproxy.bench.loadgen.ProgressListener;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The line that says what runs now and how long it has left: rewritten in place with {@code \r} on a
 * terminal, one plain line per phase otherwise (logs, CI).
 */
final class ProgressLine implements ProgressListener
{
    private final PrintStream out;
    private final boolean terminal;
    private String prefix = "";
    private Phase lastPhase;
    private int lastLength;

    ProgressLine(final PrintStream out, final boolean terminal)
    {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * @param cell what runs next, e.g. {@code [3/14] baseline @ proxy}.
     */
    void startCell(final String cell)
    {
        prefix = cell;
        lastPhase = null;
    }

    /**
     * {@inheritDoc}
     */
    public void onProgress(final Phase phase, final double secondsLeft)
    {
        final String text = prefix + ": " + describe(phase) +
            (phase == Phase.DRAINING ? "" : String.format(Locale.ROOT, ", %.0f s left", Math.ceil(secondsLeft)));
        if (terminal)
        {
            final StringBuilder line = new StringBuilder(text.length() + 16).append('\r').append(text);
            for (int i = text.length(); i < lastLength; i++)
            {
                line.append(' ');
            }
            lastLength = text.length();
            out.print(line);
            out.flush();
        }
        else if (phase != lastPhase)
        {
            out.println(text);
        }
        lastPhase = phase;
    }

    /**
     * End the cell with its result on a line of its own.
     *
     * @param summary e.g. {@code 83,394 RPS, p99 294μs, 0 errors}.
     */
    void endCell(final String summary)
    {
        final String text = prefix + ": " + summary;
        if (terminal)
        {
            final StringBuilder line = new StringBuilder().append('\r').append(text);
            for (int i = text.length(); i < lastLength; i++)
            {
                line.append(' ');
            }
            out.println(line);
            lastLength = 0;
        }
        else
        {
            out.println(text);
        }
    }

    private static String describe(final Phase phase)
    {
        return switch (phase)
        {
            case CONNECTING -> "connecting";
            case WARMING_UP -> "warming up";
            case MEASURING -> "measuring";
            case DRAINING -> "collecting last replies";
        };
    }
}
