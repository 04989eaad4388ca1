package io.tcpproxy.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Pins the calling thread to one CPU on Linux. Java 17 has no affinity API and the foreign-function API is not
 * final there, so this asks util-linux's {@code taskset} to set the calling thread's mask (the thread id comes from
 * {@code /proc/thread-self}); it runs once per worker at start, never on the relay path.
 */
final class CpuAffinity
{
    private CpuAffinity()
    {
    }

    /**
     * @param cpu the CPU to pin the calling thread to.
     * @return null when pinned, otherwise why not.
     */
    static String pinCurrentThread(final int cpu)
    {
        final String threadId;
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            threadId = link.substring(link.lastIndexOf('/') + 1);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return "cpu_affinity needs Linux (/proc/thread-self): " + ex;
        }
        try
        {
            final Process process = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), threadId)
                .redirectErrorStream(true)
                .start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return "taskset did not finish";
            }
            return process.exitValue() == 0 ? null : "taskset failed: " + output;
        }
        catch (final IOException ex)
        {
            return "cpu_affinity needs util-linux's taskset on the PATH: " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "interrupted while pinning";
        }
    }
}
