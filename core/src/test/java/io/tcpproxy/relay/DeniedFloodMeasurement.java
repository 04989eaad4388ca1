package io.tcpproxy.relay;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.LogEvents;
import io.tcpproxy.config.Config;
import io.tcpproxy.metrics.MetricsSnapshot;
import io.tcpproxy.metrics.RejectReason;
import io.tcpproxy.testsupport.TestUpstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A measurement for docs/access-control.md, not a test: a ping-pong load from 127.0.0.1 through a proxy that denies
 * 127.0.0.2, first alone, then while 50,000 connects from 127.0.0.2 hit it. Prints the load's round trips per second
 * and the proxy's CPU (its own threads only, from the JVM's per-thread CPU time, so the load and the echo server in
 * this process do not count) in both phases.
 *
 * <p>Usage: {@code java -cp <core classes + test classes + deps> io.tcpproxy.relay.DeniedFloodMeasurement
 * [loadConnections=4] [deniedConnects=50000] [floodThreads=2] [baselineSeconds=5]}
 */
public final class DeniedFloodMeasurement
{
    private static final int MESSAGE_BYTES = 64;

    private DeniedFloodMeasurement()
    {
    }

    /** @param args see the class comment. @throws Exception when the run fails. */
    public static void main(final String[] args) throws Exception
    {
        final int loadConnections = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        final int deniedConnects = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        final int floodThreads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        final int baselineSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;

        final AtomicLong consoleLines = new AtomicLong();
        final PrintStream console = new PrintStream(new OutputStream()
        {
            @Override
            public void write(final int b)
            {
                if (b == '\n')
                {
                    consoleLines.incrementAndGet();
                }
            }
        }, true, StandardCharsets.UTF_8);

        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = Proxy.start(TestProxies.configFor(upstream).deny(List.of("127.0.0.2/32"))
                .logEvents(LogEvents.CONNECTIONS).build(), console))
        {
            final InetSocketAddress address = proxy.localAddress();
            final LongAdder roundTrips = new LongAdder();
            final List<Thread> load = new ArrayList<>();
            final AtomicBoolean stop = new AtomicBoolean();
            for (int i = 0; i < loadConnections; i++)
            {
                final Socket socket = connect("127.0.0.1", address);
                final Thread thread = new Thread(() -> pingPong(socket, roundTrips, stop), "load-" + i);
                thread.setDaemon(true);
                thread.start();
                load.add(thread);
            }
            TimeUnit.SECONDS.sleep(1); // warm up

            final Phase baseline = Phase.start(roundTrips, consoleLines);
            TimeUnit.SECONDS.sleep(baselineSeconds);
            final String baselineLine = baseline.finish("load alone", roundTrips, consoleLines, 0);

            final AtomicInteger notRefused = new AtomicInteger();
            final Phase flood = Phase.start(roundTrips, consoleLines);
            runFlood(address, deniedConnects, floodThreads, notRefused);
            final String floodLine = flood.finish("load + " + deniedConnects + " denied connects", roundTrips,
                consoleLines, deniedConnects);

            // control: the same flood against a bare accept-and-reset server beside the proxy, so the share of the
            // slowdown that is the flood's own client side and kernel work on these shared cores shows apart
            final String controlLine;
            try (ServerSocket bare = new ServerSocket(0, 4096, InetAddress.getByName("127.0.0.1")))
            {
                final Thread resetter = new Thread(() -> acceptAndReset(bare), "bare-resetter");
                resetter.setDaemon(true);
                resetter.start();
                final Phase control = Phase.start(roundTrips, consoleLines);
                runFlood((InetSocketAddress)bare.getLocalSocketAddress(), deniedConnects, floodThreads,
                    new AtomicInteger());
                controlLine = control.finish("load + same flood on a bare server", roundTrips, consoleLines,
                    deniedConnects);
            }
            stop.set(true);

            MetricsSnapshot snapshot = proxy.metrics();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (snapshot.rejectedConnections(RejectReason.DENIED) < deniedConnects - notRefused.get() &&
                System.nanoTime() - deadlineNs < 0)
            {
                TimeUnit.MILLISECONDS.sleep(10);
                snapshot = proxy.metrics();
            }
            System.out.println(baselineLine);
            System.out.println(floodLine);
            System.out.println(controlLine);
            System.out.printf(Locale.ROOT, "denied counted: %d, denied connects not refused: %d, upstream " +
                "connects: %d (the load's %d), proxy workers: %d%n", snapshot.rejectedConnections(RejectReason.DENIED),
                notRefused.get(), upstream.accepted(), loadConnections, proxy.config().effectiveWorkers());
        }
    }

    private static Socket connect(final String localIp, final InetSocketAddress address) throws IOException
    {
        final Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(20_000);
        socket.bind(new InetSocketAddress(InetAddress.getByName(localIp), 0));
        socket.connect(address, 5_000);
        return socket;
    }

    private static void pingPong(final Socket socket, final LongAdder roundTrips, final AtomicBoolean stop)
    {
        final byte[] message = new byte[MESSAGE_BYTES];
        try (socket)
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            while (!stop.get())
            {
                out.write(message);
                if (in.readNBytes(message, 0, MESSAGE_BYTES) < MESSAGE_BYTES)
                {
                    return;
                }
                roundTrips.increment();
            }
        }
        catch (final IOException ex)
        {
            // the proxy closed: the run is over
        }
    }

    private static void runFlood(final InetSocketAddress address, final int connects, final int threads,
        final AtomicInteger notRefused) throws InterruptedException
    {
        final AtomicInteger remaining = new AtomicInteger(connects);
        final List<Thread> flooders = new ArrayList<>();
        for (int i = 0; i < threads; i++)
        {
            final Thread thread = new Thread(() -> flood(address, remaining, notRefused), "flood-" + i);
            thread.start();
            flooders.add(thread);
        }
        for (final Thread thread : flooders)
        {
            thread.join();
        }
    }

    private static void acceptAndReset(final ServerSocket server)
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket socket = server.accept();
                socket.setSoLinger(true, 0);
                socket.close();
            }
            catch (final IOException ex)
            {
                // closed: the run is over
            }
        }
    }

    private static void flood(final InetSocketAddress address, final AtomicInteger remaining,
        final AtomicInteger notRefused)
    {
        while (remaining.getAndDecrement() > 0)
        {
            try (Socket socket = connect("127.0.0.2", address))
            {
                if (socket.getInputStream().read() >= 0)
                {
                    notRefused.incrementAndGet();
                }
            }
            catch (final IOException ex)
            {
                // reset at accept: what a denied client gets
            }
        }
    }

    /** Figures at the start of a phase. */
    private record Phase(long startNs, long roundTrips, long proxyCpuNs, long consoleLines)
    {
        static Phase start(final LongAdder roundTrips, final AtomicLong consoleLines)
        {
            return new Phase(System.nanoTime(), roundTrips.sum(), cpuOfProxyThreadsNs(), consoleLines.get());
        }

        String finish(final String name, final LongAdder roundTrips, final AtomicLong consoleLines,
            final int connects)
        {
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            final double cpuSeconds = (cpuOfProxyThreadsNs() - proxyCpuNs) / 1e9;
            return String.format(Locale.ROOT, "%-36s %6.2f s  load %,9.0f round trips/s  proxy CPU %5.1f %% " +
                "of one core%s  console lines %d", name, seconds, (roundTrips.sum() - this.roundTrips) / seconds,
                100 * cpuSeconds / seconds, connects == 0 ? "" : String.format(Locale.ROOT,
                "  (%,.0f denied connects/s)", connects / seconds), consoleLines.get() - this.consoleLines);
        }
    }

    /** @return CPU time of the proxy's own threads (named tcp-proxy-*) so far. */
    private static long cpuOfProxyThreadsNs()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds()))
        {
            if (info != null && info.getThreadName().startsWith("tcp-proxy"))
            {
                final long ns = threads.getThreadCpuTime(info.getThreadId());
                sum += Math.max(0, ns);
            }
        }
        return sum;
    }
}
