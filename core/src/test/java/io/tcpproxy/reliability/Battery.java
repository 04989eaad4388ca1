package io.tcpproxy.reliability;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigBuilder;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.relay.ProxyAwait;
import io.tcpproxy.relay.TestProxies;
import io.tcpproxy.testsupport.Await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Shared pieces of the in-process reliability battery: the proxy's settings, the long-run switch, generous awaits,
 * the client-visible ending of a stream, and this JVM's open descriptors.
 */
final class Battery
{
    /** {@code -Dreliability.long=true}: the long version (more connections, bigger transfers). */
    static final boolean LONG = Boolean.getBoolean("reliability.long");
    /** Generous on a loaded 2-core machine: conditions are awaited, never timed. */
    static final Duration AWAIT = Duration.ofSeconds(30);

    /** How a stream ended as its reader saw it. */
    enum Ending
    {
        /** A clean end of stream. */
        FIN,
        /** A reset (ECONNRESET). */
        RST
    }

    /** What a reader got: the bytes and the ending. */
    static final class Received
    {
        final byte[] bytes;
        final Ending ending;

        Received(final byte[] bytes, final Ending ending)
        {
            this.bytes = bytes;
            this.ending = ending;
        }
    }

    private Battery()
    {
    }

    static ConfigBuilder config(final int upstreamPort)
    {
        return TestProxies.configFor("127.0.0.1:" + upstreamPort);
    }

    static Proxy start(final ConfigBuilder config) throws IOException
    {
        return TestProxies.start(config);
    }

    static Socket connect(final Proxy proxy) throws IOException
    {
        final Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.localAddress().getPort());
        socket.setSoTimeout((int)AWAIT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Read until the stream ends; a stream that neither ends nor sends within {@link #AWAIT} fails the test. */
    static Received readToEnd(final Socket socket) throws IOException
    {
        socket.setSoTimeout((int)AWAIT.toMillis());
        final InputStream in = socket.getInputStream();
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final byte[] buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = in.read(buffer)) >= 0)
            {
                bytes.write(buffer, 0, read);
            }
            return new Received(bytes.toByteArray(), Ending.FIN);
        }
        catch (final SocketTimeoutException ex)
        {
            fail("the stream neither ended nor sent anything for " + AWAIT + " after " + bytes.size() + " bytes");
            throw ex;
        }
        catch (final SocketException ex)
        {
            if (isReset(ex))
            {
                return new Received(bytes.toByteArray(), Ending.RST);
            }
            throw ex;
        }
    }

    static boolean isReset(final IOException ex)
    {
        final String message = String.valueOf(ex.getMessage());
        return message.contains("reset") || message.contains("Broken pipe");
    }

    static void until(final String what, final BooleanSupplier condition)
    {
        until(what, condition, () -> "");
    }

    static void until(final String what, final BooleanSupplier condition, final Supplier<String> state)
    {
        Await.until(what, condition, AWAIT, state);
    }

    static MetricsSnapshot metrics(final Proxy proxy, final String what, final Predicate<MetricsSnapshot> condition)
    {
        return ProxyAwait.metrics(proxy, what, condition, AWAIT);
    }

    /** @return the first snapshot with nothing active and {@code closes} closes in all. */
    static MetricsSnapshot settled(final Proxy proxy, final long closes)
    {
        return metrics(proxy, closes + " closes and nothing active",
            (s) -> s.activeConnections() == 0 && ProxyAwait.totalCloses(s) == closes);
    }

    /**
     * The client's stream ends with a reset, and the one connection is closed for {@code reason}.
     *
     * @param why what a FIN would wrongly mean here, for the failure message.
     */
    static void assertCutWithReset(final Proxy proxy, final Socket client, final CloseReason reason, final String why)
        throws IOException
    {
        final Received received = readToEnd(client);
        assertEquals(Ending.RST, received.ending, why);
        final MetricsSnapshot s = settled(proxy, 1);
        assertEquals(1, s.closes(reason), ProxyAwait.describe(s));
    }

    /** @return this process's descriptor limit (RLIMIT_NOFILE). */
    static long descriptorLimit()
    {
        return ((com.sun.management.UnixOperatingSystemMXBean)java.lang.management.ManagementFactory
            .getOperatingSystemMXBean()).getMaxFileDescriptorCount();
    }

    /** @return this JVM's open descriptors, as "fd -> target". */
    static List<String> openFds()
    {
        final List<String> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd")))
        {
            for (final Path fd : dir)
            {
                String target;
                try
                {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException ex)
                {
                    target = "?"; // closed while listing (the listing's own descriptor)
                }
                fds.add(fd.getFileName() + " -> " + target);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot list /proc/self/fd", ex);
        }
        return fds;
    }

    /** @return open sockets of this JVM (the descriptors a leak would show). */
    static long openSockets()
    {
        return openFds().stream().filter((fd) -> fd.contains("socket:")).count();
    }

    /** Wait until this JVM holds no more sockets than {@code baseline}. */
    static void awaitSocketsBackTo(final long baseline)
    {
        until("open sockets back to the baseline of " + baseline, () -> openSockets() <= baseline,
            () -> "(now " + openSockets() + ")");
    }
}
