package io.tcpproxy.bench.bulk;

import io.tcpproxy.bench.Args;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code bulk}, also made by {@code bench --bulk}. {@code --bytes} is per connection: with 4
 * connections, 4 times as many bytes move.
 */
public final class BulkOptions
{
    static final long GIB = 1024L * 1024 * 1024;
    static final long MIB = 1024L * 1024;
    static final long DEFAULT_BYTES_PER_CONNECTION = GIB;
    static final long QUICK_BYTES_PER_CONNECTION = 256 * MIB;
    /** {@code bench --quick --bulk} runs a whole matrix first, so its bulk part is smaller than {@code bulk --quick}. */
    static final long BENCH_QUICK_BYTES_PER_CONNECTION = 64 * MIB;
    static final long MAX_WARMUP_BYTES = 256 * MIB;
    static final long QUICK_WARMUP_BYTES = 64 * MIB;

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");
    private static final String SIZE_EXPECTED = "a size like 1GiB, 256MiB or 65536 (units are binary: K, M, G = " +
        "2^10, 2^20, 2^30)";
    private static final List<String> VALUED = List.of("--bytes", "--warmup-bytes", "--connections", "--runs",
        "--direction", "--workers", "--server-threads", "--timeout-secs", "--out", "--home");

    long bytesPerConnection = -1;
    long warmupBytes = -1;
    boolean quick;
    final List<Integer> connections = new ArrayList<>();
    int runs = 3;
    final List<Direction> directions = new ArrayList<>(List.of(Direction.UPLOAD, Direction.DOWNLOAD));
    int workers;
    int serverThreads = 1;
    boolean withHaproxy;
    boolean withNginx;
    long timeoutNs = TimeUnit.SECONDS.toNanos(300);
    String outDir;
    String home;

    static BulkOptions parse(final String[] args)
    {
        final BulkOptions options = new BulkOptions();
        final List<String> tokens = tokens(args);
        for (int i = 0; i < tokens.size(); i++)
        {
            final String option = tokens.get(i);
            if (options.flag(option))
            {
                continue;
            }
            if (!VALUED.contains(option))
            {
                throw new BulkUsageException(unknown(option));
            }
            if (i + 1 >= tokens.size())
            {
                throw new BulkUsageException(option + " needs a value");
            }
            final String value = tokens.get(++i);
            switch (option)
            {
                case "--bytes" -> options.bytesPerConnection = positiveSize(option, value);
                case "--warmup-bytes" -> options.warmupBytes = size(option, value);
                case "--connections" -> options.connections.addAll(connectionList(value));
                case "--runs" -> options.runs = integer(option, value, 1, 100);
                case "--direction" -> options.directions(value);
                case "--workers" -> options.workers = integer(option, value, 1, 1024);
                case "--server-threads" -> options.serverThreads = integer(option, value, 1, 64);
                case "--timeout-secs" -> options.timeoutNs = TimeUnit.SECONDS.toNanos(integer(option, value, 1, 86_400));
                case "--out" -> options.outDir = value;
                case "--home" -> options.home = value;
                default -> throw new BulkUsageException(unknown(option));
            }
        }
        return options.withDefaults(QUICK_BYTES_PER_CONNECTION);
    }

    /**
     * The options of the bulk part of {@code bench --bulk}: the default cases of {@code bulk} (upload and download,
     * 1 and 4 connections), with the matrix's runs, workers and HAProxy/nginx.
     *
     * @param quick              true for {@code --quick}: 64 MiB per connection unless a size is given, and a
     *                           shorter warm-up.
     * @param bytesPerConnection {@code --bulk-size}, or a negative number for the default.
     * @param runs               how many times every case runs.
     * @param workers            the proxy's workers, HAProxy's threads and nginx's processes.
     * @param withHaproxy        true to measure HAProxy too.
     * @param withNginx          true to measure nginx too.
     * @return the options.
     */
    public static BulkOptions forBench(
        final boolean quick,
        final long bytesPerConnection,
        final int runs,
        final int workers,
        final boolean withHaproxy,
        final boolean withNginx)
    {
        final BulkOptions options = new BulkOptions();
        options.quick = quick;
        options.bytesPerConnection = bytesPerConnection;
        options.runs = runs;
        options.workers = workers;
        options.withHaproxy = withHaproxy;
        options.withNginx = withNginx;
        return options.withDefaults(BENCH_QUICK_BYTES_PER_CONNECTION);
    }

    private BulkOptions withDefaults(final long quickBytesPerConnection)
    {
        if (connections.isEmpty())
        {
            connections.addAll(List.of(1, 4));
        }
        if (bytesPerConnection < 0)
        {
            bytesPerConnection = quick ? quickBytesPerConnection : DEFAULT_BYTES_PER_CONNECTION;
        }
        if (warmupBytes < 0)
        {
            warmupBytes = Math.min(bytesPerConnection, quick ? QUICK_WARMUP_BYTES : MAX_WARMUP_BYTES);
        }
        return this;
    }

    /**
     * @return the cases of one run, in the order they run: by direction, then by connections.
     */
    List<BulkCase> cases()
    {
        final List<BulkCase> cases = new ArrayList<>();
        for (final Direction direction : directions)
        {
            for (final int count : connections)
            {
                cases.add(new BulkCase(direction, count, bytesPerConnection));
            }
        }
        return cases;
    }

    /**
     * @param text e.g. {@code 1GiB}, {@code 256m}, {@code 65536}.
     * @return the bytes.
     * @throws IllegalArgumentException when it is not a size.
     */
    static long parseSize(final String text)
    {
        final Matcher matcher = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches())
        {
            throw new IllegalArgumentException("expected " + SIZE_EXPECTED + ", got \"" + text + "\"");
        }
        final String unit = matcher.group(2) == null ? "b" : matcher.group(2);
        final long multiplier = switch (unit.charAt(0))
        {
            case 'k' -> 1024L;
            case 'm' -> MIB;
            case 'g' -> GIB;
            default -> 1L;
        };
        try
        {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier);
        }
        catch (final ArithmeticException | NumberFormatException ex)
        {
            throw new IllegalArgumentException("size too large: \"" + text + "\"", ex);
        }
    }

    /**
     * @param bytes a size.
     * @return e.g. {@code 1 GiB}, {@code 256 MiB}, {@code 1.5 GiB}, {@code 1000 B}.
     */
    static String formatSize(final long bytes)
    {
        if (bytes >= GIB)
        {
            return trim(bytes / (double)GIB) + " GiB";
        }
        if (bytes >= MIB)
        {
            return trim(bytes / (double)MIB) + " MiB";
        }
        if (bytes >= 1024)
        {
            return trim(bytes / 1024.0) + " KiB";
        }
        return bytes + " B";
    }

    private static String trim(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : String.format(Locale.ROOT, "%.2f", value)
            .replaceAll("0+$", "");
    }

    private void directions(final String value)
    {
        directions.clear();
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "up", "upload" -> directions.add(Direction.UPLOAD);
            case "down", "download" -> directions.add(Direction.DOWNLOAD);
            case "both" -> directions.addAll(List.of(Direction.UPLOAD, Direction.DOWNLOAD));
            default -> throw new BulkUsageException("--direction expects up, down or both, got \"" + value + "\"");
        }
    }

    private static List<String> tokens(final String[] args)
    {
        return Args.split(args, 1);
    }

    private boolean flag(final String option)
    {
        switch (option)
        {
            case "--quick" -> quick = true;
            case "--with-haproxy" -> withHaproxy = true;
            case "--with-nginx" -> withNginx = true;
            default ->
            {
                return false;
            }
        }
        return true;
    }

    private static String unknown(final String option)
    {
        return "unknown option for 'bulk': " + option + "; expected one of: --bytes --connections --direction --home " +
            "--out --quick --runs --server-threads --timeout-secs --warmup-bytes --with-haproxy --with-nginx --workers";
    }

    private static List<Integer> connectionList(final String value)
    {
        final List<Integer> counts = new ArrayList<>();
        for (final String part : value.split(","))
        {
            counts.add(integer("--connections", part.trim(), 1, 256));
        }
        return counts;
    }

    /**
     * @param option the option, for the message.
     * @param value  e.g. {@code 1GiB}, {@code 256m}, {@code 65536}.
     * @return the bytes, at least 1.
     * @throws BulkUsageException saying what is expected.
     */
    public static long positiveSize(final String option, final String value)
    {
        final long bytes = size(option, value);
        if (bytes < 1)
        {
            throw new BulkUsageException(option + " expects at least 1 byte, got \"" + value + "\"");
        }
        return bytes;
    }

    private static long size(final String option, final String value)
    {
        try
        {
            return parseSize(value);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BulkUsageException(option + ": " + ex.getMessage());
        }
    }

    private static int integer(final String option, final String text, final int min, final int max)
    {
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
            throw new BulkUsageException(option + " expects an integer from " + min + " to " + max + ", got \"" +
                text + "\"");
        }
    }
}
