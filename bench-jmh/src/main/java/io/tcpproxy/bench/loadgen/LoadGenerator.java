package io.tcpproxy.bench.loadgen;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * An echo ping-pong load generator: a few selector threads of its own drive many connections, each sending a
 * message of a fixed size, reading the same number of bytes back, and checking every byte against what was
 * sent. Closed loop (the next request leaves when the reply is in) or open loop (requests leave on a fixed
 * schedule and latency counts from the scheduled time, so a stall of the target is not hidden).
 * <p>
 * Not thread safe: one measurement at a time per instance.
 */
public final class LoadGenerator
{
    private static final long PROGRESS_INTERVAL_MS = 250;
    private static final long GRACE_NS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Run one measurement against an echo endpoint and wait for it to finish.
     *
     * @param address  the echo endpoint (directly, or through a proxy).
     * @param spec     what to run.
     * @param progress told a few times a second how far it is.
     * @return the counts, rates and latencies.
     * @throws InterruptedException when the calling thread is interrupted; the workers are stopped.
     * @throws IllegalStateException when a worker thread fails unexpectedly.
     */
    public LoadResult run(final InetSocketAddress address, final LoadSpec spec, final ProgressListener progress)
        throws InterruptedException
    {
        final int workerCount = Math.min(spec.selectorThreads(), spec.connections());
        final long runSeed = Payload.mix(System.nanoTime());
        final StartGate gate = new StartGate(workerCount);
        final LoadWorker[] workers = new LoadWorker[workerCount];
        final Thread[] threads = new Thread[workerCount];
        for (int w = 0; w < workerCount; w++)
        {
            final int count = (spec.connections() - w + workerCount - 1) / workerCount;
            final LoadConnection[] connections = new LoadConnection[count];
            for (int i = 0; i < count; i++)
            {
                final int globalIndex = w + i * workerCount;
                connections[i] = new LoadConnection(globalIndex, Payload.mix(runSeed + globalIndex), spec.messageBytes());
            }
            workers[w] = new LoadWorker(address, spec, connections, gate);
            threads[w] = new Thread(workers[w], "loadgen-" + w);
            threads[w].setDaemon(true);
        }

        try
        {
            for (final Thread thread : threads)
            {
                thread.start();
            }
            progress.onProgress(ProgressListener.Phase.CONNECTING, secondsOf(spec.warmupNs() + spec.durationNs()));
            if (!gate.connected.await(spec.timeoutNs() + GRACE_NS, TimeUnit.NANOSECONDS))
            {
                throw new IllegalStateException("load generator workers did not finish connecting");
            }
            final long startNs = System.nanoTime();
            gate.startNs = startNs;
            gate.go.countDown();

            final long measureStartNs = startNs + spec.warmupNs();
            final long measureEndNs = measureStartNs + spec.durationNs();
            boolean windowStarted = false;
            boolean windowEnded = false;
            for (final Thread thread : threads)
            {
                while (thread.isAlive())
                {
                    // wake at the window's edges too, so that CPU samples taken there cover the window
                    final long nowNs = System.nanoTime();
                    final long nextEdgeNs = !windowStarted ? measureStartNs : !windowEnded ? measureEndNs : Long.MAX_VALUE;
                    final long waitMs = Math.max(1, Math.min(PROGRESS_INTERVAL_MS,
                        TimeUnit.NANOSECONDS.toMillis(Math.max(0, nextEdgeNs - nowNs)) + 1));
                    thread.join(waitMs);
                    final long afterNs = System.nanoTime();
                    if (!windowStarted && afterNs >= measureStartNs)
                    {
                        windowStarted = true;
                        progress.onWindowStart();
                    }
                    if (!windowEnded && afterNs >= measureEndNs)
                    {
                        windowEnded = true;
                        progress.onWindowEnd();
                    }
                    reportProgress(progress, afterNs, measureStartNs, measureEndNs);
                }
            }
            if (!windowEnded)
            {
                // every worker ended early (all connections failed): no window to sample
                progress.onWindowEnd();
            }
        }
        finally
        {
            gate.go.countDown();
            for (final Thread thread : threads)
            {
                if (thread.isAlive())
                {
                    thread.interrupt();
                }
            }
        }

        return merge(spec, workers);
    }

    private static void reportProgress(
        final ProgressListener progress, final long nowNs, final long measureStartNs, final long measureEndNs)
    {
        final ProgressListener.Phase phase;
        if (nowNs < measureStartNs)
        {
            phase = ProgressListener.Phase.WARMING_UP;
        }
        else if (nowNs < measureEndNs)
        {
            phase = ProgressListener.Phase.MEASURING;
        }
        else
        {
            phase = ProgressListener.Phase.DRAINING;
        }
        progress.onProgress(phase, secondsOf(Math.max(0, measureEndNs - nowNs)));
    }

    private static LoadResult merge(final LoadSpec spec, final LoadWorker[] workers)
    {
        final Histogram latencyNs = new Histogram(LoadWorker.HIGHEST_LATENCY_NS, 3);
        long requests = 0;
        long completedInWindow = 0;
        int connectionsOpened = 0;
        long connectErrors = 0;
        long resets = 0;
        long mismatches = 0;
        long timeouts = 0;
        String connectFailure = null;
        for (final LoadWorker worker : workers)
        {
            connectFailure = connectFailure != null ? connectFailure : worker.firstConnectFailure();
            final Throwable failure = worker.failure;
            if (failure != null)
            {
                throw new IllegalStateException("load generator worker failed: " + failure, failure);
            }
            latencyNs.add(worker.latencyNs);
            requests += worker.requests;
            completedInWindow += worker.completedInWindow;
            connectionsOpened += worker.connectionsOpened;
            connectErrors += worker.connectErrors();
            resets += worker.resets;
            mismatches += worker.mismatches;
            timeouts += worker.timeouts;
        }
        return new LoadResult(
            spec,
            spec.durationNs(),
            latencyNs,
            requests,
            completedInWindow,
            connectionsOpened,
            connectErrors,
            resets,
            mismatches,
            timeouts,
            connectFailure);
    }

    /**
     * Connect once, blocking, so that a target nobody listens on fails before any measurement.
     *
     * @param address   the endpoint.
     * @param timeoutMs how long the connect may take.
     * @throws TargetUnreachableException e.g. {@code connection refused to 127.0.0.1:9}.
     */
    public static void probe(final InetSocketAddress address, final int timeoutMs) throws TargetUnreachableException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMs);
        }
        catch (final SocketTimeoutException ex)
        {
            throw new TargetUnreachableException("connect timed out", address);
        }
        catch (final IOException ex)
        {
            throw new TargetUnreachableException(ex.getMessage() != null ? ex.getMessage() : ex.toString(), address);
        }
    }

    private static double secondsOf(final long ns)
    {
        return ns / 1_000_000_000.0;
    }
}
