package io.tcpproxy.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A cursor over command-line arguments; {@code --name=value} is read like {@code --name value}.
 */
public final class Args
{
    private final List<String> tokens = new ArrayList<>();
    private int index;

    Args(final String[] args, final int from)
    {
        tokens.addAll(split(args, from));
    }

    /**
     * @param args the command line.
     * @param from index of the first argument to take.
     * @return the arguments with every {@code --option=value} split into {@code --option} and {@code value}.
     */
    public static List<String> split(final String[] args, final int from)
    {
        final List<String> tokens = new ArrayList<>();
        for (int i = from; i < args.length; i++)
        {
            final String arg = args[i];
            final int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 2)
            {
                tokens.add(arg.substring(0, equals));
                tokens.add(arg.substring(equals + 1));
            }
            else
            {
                tokens.add(arg);
            }
        }
        return tokens;
    }

    boolean hasNext()
    {
        return index < tokens.size();
    }

    String next()
    {
        return tokens.get(index++);
    }

    String value(final String option)
    {
        if (index >= tokens.size())
        {
            throw new UsageException(option + " needs a value");
        }
        return tokens.get(index++);
    }

    int intValue(final String option, final int min, final int max)
    {
        final String text = value(option);
        try
        {
            final int value = Integer.parseInt(text);
            if (value < min || value > max)
            {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(option + " expects an integer from " + min + " to " + max + ", got \"" + text + "\"");
        }
    }

    double doubleValue(final String option, final double min)
    {
        final String text = value(option);
        try
        {
            final double value = Double.parseDouble(text);
            if (!(value >= min) || Double.isInfinite(value))
            {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new UsageException(option + " expects a number >= " + min + ", got \"" + text + "\"");
        }
    }
}
