package io.tcpproxy.bench.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full Java thread names by kernel thread id, from {@code jcmd PID Thread.print}: the kernel keeps only 15
 * characters of a name, which cannot tell {@code tcp-proxy-metrics} from {@code tcp-proxy-metrics-http}.
 */
public final class JcmdThreadNames
{
    private static final Pattern THREAD = Pattern.compile("^\"(.*)\" .*\\bnid=(0x[0-9a-fA-F]+|\\d+)\\b.*$",
        Pattern.MULTILINE);

    private JcmdThreadNames()
    {
    }

    /**
     * @param pid a JVM of the same user.
     * @return its thread names by thread id; empty when jcmd is missing or fails.
     */
    public static Map<Long, String> of(final long pid)
    {
        final Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd))
        {
            return Map.of();
        }
        try
        {
            final Process process = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "Thread.print"))
                .redirectErrorStream(true).start();
            final String text;
            try (InputStream in = process.getInputStream())
            {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                process.destroyForcibly();
                return Map.of();
            }
            return parse(text);
        }
        catch (final IOException ex)
        {
            return Map.of();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /**
     * @param threadPrint the output of {@code jcmd PID Thread.print}.
     * @return thread names by thread id ({@code nid}, hexadecimal before JDK 19, decimal after).
     */
    static Map<Long, String> parse(final String threadPrint)
    {
        final Map<Long, String> names = new HashMap<>();
        final Matcher matcher = THREAD.matcher(threadPrint);
        while (matcher.find())
        {
            final String nid = matcher.group(2);
            final long tid = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
            names.put(tid, matcher.group(1));
        }
        return names;
    }
}
