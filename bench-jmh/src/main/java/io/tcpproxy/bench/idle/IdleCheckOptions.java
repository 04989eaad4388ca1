package io.tcpproxy.bench.idle;

import io.tcpproxy.config.HostPort;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The options of {@code idle-check}; {@code --name=value} is read like {@code --name value}.
 */
final class IdleCheckOptions
{
    static final int DEFAULT_CONNECTIONS = 10_000;
    static final int DEFAULT_MESSAGE_BYTES = 32;
    static final int DEFAULT_IN_FLIGHT = 200;
    static final int DEFAULT_HOLD_SECS = 600;
    static final int DEFAULT_TIMEOUT_SECS = 120;

    private static final List<String> VALUED = List.of(
        "--target", "--connections", "--message-bytes", "--in-flight", "--hold-secs", "--release-file",
        "--timeout-secs");

    InetSocketAddress target;
    int connections = DEFAULT_CONNECTIONS;
    int messageBytes = DEFAULT_MESSAGE_BYTES;
    int inFlight = DEFAULT_IN_FLIGHT;
    long holdNs = TimeUnit.SECONDS.toNanos(DEFAULT_HOLD_SECS);
    long timeoutNs = TimeUnit.SECONDS.toNanos(DEFAULT_TIMEOUT_SECS);
    Path releaseFile;

    private IdleCheckOptions()
    {
    }

    /**
     * @param args {@code idle-check} and its options.
     * @return the options.
     * @throws IdleUsageException when an option is unknown, missing its value or out of range.
     */
    static IdleCheckOptions parse(final String[] args)
    {
        final IdleCheckOptions options = new IdleCheckOptions();
        for (int i = 1; i < args.length; i++)
        {
            String option = args[i];
            String value = null;
            final int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 2)
            {
                value = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            if (!VALUED.contains(option))
            {
                throw new IdleUsageException("unknown idle-check option '" + option + "'; expected one of " +
                    String.join(", ", new java.util.TreeSet<>(VALUED)));
            }
            if (value == null)
            {
                if (i + 1 >= args.length)
                {
                    throw new IdleUsageException(option + " needs a value");
                }
                value = args[++i];
            }
            options.set(option, value);
        }
        if (options.target == null)
        {
            throw new IdleUsageException("idle-check needs --target HOST:PORT, e.g. --target 127.0.0.1:3000");
        }
        return options;
    }

    private void set(final String option, final String value)
    {
        switch (option)
        {
            case "--target" -> target = target(value);
            case "--connections" -> connections = integer(option, value, 1, 1_000_000);
            case "--message-bytes" -> messageBytes = integer(option, value, 1, 65_536);
            case "--in-flight" -> inFlight = integer(option, value, 1, 100_000);
            case "--hold-secs" -> holdNs = TimeUnit.SECONDS.toNanos(integer(option, value, 0, 86_400));
            case "--release-file" -> releaseFile = Path.of(value);
            case "--timeout-secs" -> timeoutNs = TimeUnit.SECONDS.toNanos(integer(option, value, 1, 86_400));
            default -> throw new IdleUsageException("unknown idle-check option '" + option + "'");
        }
    }

    private static InetSocketAddress target(final String value)
    {
        final InetSocketAddress address;
        try
        {
            address = HostPort.parse(value).resolve();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IdleUsageException("--target: " + ex.getMessage());
        }
        if (address.isUnresolved())
        {
            throw new IdleUsageException("--target: cannot resolve host '" + address.getHostString() + "'");
        }
        return address;
    }

    private static int integer(final String option, final String text, final int min, final int max)
    {
        try
        {
            final int value = Integer.parseInt(text.trim());
            if (value < min || value > max)
            {
                throw new NumberFormatException();
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IdleUsageException(
                option + " expects an integer from " + min + " to " + max + ", got \"" + text + "\"");
        }
    }
}
