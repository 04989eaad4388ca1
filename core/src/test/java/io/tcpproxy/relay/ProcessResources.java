package io.tcpproxy.relay;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What this JVM holds right now: open file descriptors and live threads.
 */
final class ProcessResources
{
    private static final Path FD_DIR = Path.of("/proc/self/fd");
    static final String PROXY_THREAD_PREFIX = "tcp-proxy";

    private ProcessResources()
    {
    }

    static int openFds()
    {
        return fdTargets().size();
    }

    /** @return where each open fd points (for failure messages). */
    static List<String> fdTargets()
    {
        final List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(FD_DIR))
        {
            for (final Path fd : fds)
            {
                String target;
                try
                {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException ex)
                {
                    target = "?";
                }
                targets.add(fd.getFileName() + " -> " + target);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot list " + FD_DIR, ex);
        }
        return targets;
    }

    /** @return bytes of direct memory the JDK accounts as in use (freed relay buffers are subtracted at once). */
    static long directMemoryUsed()
    {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        throw new IllegalStateException("no direct buffer pool bean");
    }

    /** @return the proxy's live threads (named tcp-proxy-...). */
    static Set<Thread> proxyThreads()
    {
        final Set<Thread> threads = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && thread.getName().startsWith(PROXY_THREAD_PREFIX))
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    /** @return names of the proxy threads alive now that were not in {@code before}. */
    static List<String> newProxyThreads(final Set<Thread> before)
    {
        final List<String> names = new ArrayList<>();
        for (final Thread thread : proxyThreads())
        {
            if (!before.contains(thread))
            {
                names.add(thread.getName());
            }
        }
        return names;
    }
}
