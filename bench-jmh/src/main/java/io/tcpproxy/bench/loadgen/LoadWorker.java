package io.tcpproxy.bench.loadgen;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One selector thread of the generator and the connections it owns. Everything here runs on that thread;
 * the coordinator only reads the counters after {@link Thread#join()}.
 */
final class LoadWorker implements Runnable
{
    private static final long TIMEOUT_SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long HIGHEST_LATENCY_NS = TimeUnit.SECONDS.toNanos(120);

    private final InetSocketAddress address;
    private final LoadSpec spec;
    private final LoadConnection[] connections;
    private final StartGate gate;
    private final boolean openLoop;
    private final double schedulePeriodNs;
    private final int totalConnections;
    private final LoadConnector connector;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(4096);
    private final Consumer<SelectionKey> onReady = this::onReady;
    final Histogram latencyNs = new Histogram(HIGHEST_LATENCY_NS, 3);

    private WorkerSelector selector;
    private OpenLoopSchedule schedule;
    private int openConnections;
    private long measureStartNs;
    private long measureEndNs;
    private long drainDeadlineNs;
    private long outstandingInWindow;
    private boolean scheduling;

    long requests;
    long completedInWindow;
    int connectionsOpened;
    long resets;
    long mismatches;
    long timeouts;
    volatile Throwable failure;

    LoadWorker(
        final InetSocketAddress address,
        final LoadSpec spec,
        final LoadConnection[] connections,
        final StartGate gate)
    {
        this.address = address;
        this.spec = spec;
        this.connections = connections;
        this.gate = gate;
        this.openLoop = spec.isOpenLoop();
        this.schedulePeriodNs = openLoop ? 1_000_000_000.0 / spec.ratePerSec() : 0;
        this.totalConnections = spec.connections();
        this.connector = new LoadConnector(address, this::onConnected, this::closeConnection);
    }

    /** @return connects that failed or timed out, and connections never tried before the timeout. */
    long connectErrors()
    {
        return connector.connectErrors;
    }

    /** @return the first connect failure, e.g. {@code Connection refused}, or null. */
    String firstConnectFailure()
    {
        return connector.firstConnectFailure;
    }

    /**
     * {@inheritDoc}
     */
    public void run()
    {
        boolean countedDown = false;
        try
        {
            selector = new WorkerSelector(onReady);
            connector.connectAll(selector.selector(), connections, spec.timeoutNs(), onReady);
            gate.connected.countDown();
            countedDown = true;
            gate.go.await();
            runLoad(gate.startNs);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            if (!countedDown)
            {
                gate.connected.countDown();
            }
            closeAll();
        }
    }

    private void onConnected(final LoadConnection connection)
    {
        connection.open = true;
        connectionsOpened++;
        openConnections++;
    }

    private void runLoad(final long startNs) throws IOException
    {
        measureStartNs = startNs + spec.warmupNs();
        measureEndNs = measureStartNs + spec.durationNs();
        drainDeadlineNs = measureEndNs + spec.timeoutNs();
        scheduling = openLoop;
        schedule = openLoop ? new OpenLoopSchedule(connections, totalConnections, schedulePeriodNs, startNs) : null;

        if (!openLoop)
        {
            for (final LoadConnection connection : connections)
            {
                if (connection.open)
                {
                    sendRequest(connection, startNs, System.nanoTime());
                }
            }
        }

        long nextTimeoutScanNs = startNs + TIMEOUT_SCAN_INTERVAL_NS;
        while (true)
        {
            final long nowNs = System.nanoTime();
            long nextScheduledNs = Long.MAX_VALUE;
            if (scheduling)
            {
                nextScheduledNs = dispatchDueRequests(nowNs);
            }
            if (nowNs >= nextTimeoutScanNs)
            {
                expireSlowReplies(nowNs);
                nextTimeoutScanNs = nowNs + TIMEOUT_SCAN_INTERVAL_NS;
            }
            if (openConnections == 0 || (nowNs >= measureEndNs && outstandingInWindow == 0))
            {
                break;
            }
            if (nowNs >= drainDeadlineNs)
            {
                expireOutstanding();
                break;
            }

            long wakeNs = Math.min(nextTimeoutScanNs, drainDeadlineNs);
            wakeNs = Math.min(wakeNs, nextScheduledNs);
            if (nowNs < measureEndNs)
            {
                wakeNs = Math.min(wakeNs, measureEndNs);
            }
            selector.waitForEvents(wakeNs - nowNs);
        }
    }

    /**
     * Hands each request whose intended time has come to its connection, in intended-time order, and sends it
     * if the connection is idle; otherwise it queues behind the reply in flight.
     *
     * @return the intended time of the next request, or {@link Long#MAX_VALUE} when the schedule is over.
     */
    private long dispatchDueRequests(final long nowNs)
    {
        while (true)
        {
            final LoadConnection connection = schedule.next();
            final long intendedNs = schedule.nextNs();
            if (intendedNs >= measureEndNs)
            {
                scheduling = false;
                return Long.MAX_VALUE;
            }
            if (intendedNs > nowNs)
            {
                return intendedNs;
            }
            if (connection.open)
            {
                connection.scheduledRequests++;
                if (intendedNs >= measureStartNs)
                {
                    requests++;
                    outstandingInWindow++;
                    connection.inWindowOutstanding++;
                }
                if (!connection.awaitingReply)
                {
                    sendRequest(connection, intendedNs, nowNs);
                }
            }
            schedule.advance();
        }
    }

    private void sendRequest(final LoadConnection connection, final long startNs, final long nowNs)
    {
        connection.messageNumber++;
        Payload.fill(connection.request, connection.seed, connection.messageNumber);
        connection.request.clear();
        connection.reply.clear();
        connection.requestStartNs = startNs;
        connection.requestWrittenNs = nowNs;
        connection.awaitingReply = true;
        connection.currentInWindow = startNs >= measureStartNs && startNs < measureEndNs;
        if (openLoop)
        {
            connection.sentRequests++;
        }
        else if (connection.currentInWindow)
        {
            requests++;
            outstandingInWindow++;
            connection.inWindowOutstanding++;
        }
        write(connection);
    }

    private void write(final LoadConnection connection)
    {
        if (!EchoExchange.write(connection))
        {
            resets++;
            closeConnection(connection);
        }
    }

    private void onReady(final SelectionKey key)
    {
        final LoadConnection connection = (LoadConnection)key.attachment();
        if (!key.isValid())
        {
            return;
        }
        if (connection.connecting)
        {
            connector.finish(connection);
            return;
        }
        final int readyOps = key.readyOps();
        if ((readyOps & SelectionKey.OP_WRITE) != 0)
        {
            write(connection);
        }
        if (connection.open && (readyOps & SelectionKey.OP_READ) != 0)
        {
            read(connection);
        }
    }

    private void read(final LoadConnection connection)
    {
        switch (EchoExchange.read(connection, scratch))
        {
            case EchoExchange.REPLIED -> onReply(connection);
            case EchoExchange.RESET -> fail(connection, false);
            case EchoExchange.MISMATCH -> fail(connection, true);
            default ->
            {
                // more of the reply to come
            }
        }
    }

    private void onReply(final LoadConnection connection)
    {
        final long nowNs = System.nanoTime();
        connection.awaitingReply = false;
        if (connection.currentInWindow)
        {
            latencyNs.recordValue(Math.min(nowNs - connection.requestStartNs, HIGHEST_LATENCY_NS));
            outstandingInWindow--;
            connection.inWindowOutstanding--;
        }
        if (nowNs >= measureStartNs && nowNs < measureEndNs)
        {
            completedInWindow++;
        }

        if (openLoop)
        {
            if (connection.scheduledRequests > connection.sentRequests)
            {
                sendRequest(connection, schedule.intendedNs(connection, connection.sentRequests), nowNs);
            }
        }
        else if (nowNs < measureEndNs)
        {
            sendRequest(connection, nowNs, nowNs);
        }
    }

    private void fail(final LoadConnection connection, final boolean mismatch)
    {
        if (mismatch)
        {
            mismatches++;
        }
        else
        {
            resets++;
        }
        closeConnection(connection);
    }

    private void expireSlowReplies(final long nowNs)
    {
        for (final LoadConnection connection : connections)
        {
            if (connection.open && connection.awaitingReply &&
                nowNs - connection.requestWrittenNs > spec.timeoutNs())
            {
                timeouts++;
                closeConnection(connection);
            }
        }
    }

    private void expireOutstanding()
    {
        for (final LoadConnection connection : connections)
        {
            if (connection.open && connection.inWindowOutstanding > 0)
            {
                timeouts += connection.inWindowOutstanding;
                closeConnection(connection);
            }
        }
    }

    private void closeConnection(final LoadConnection connection)
    {
        if (connection.open)
        {
            openConnections--;
        }
        connection.open = false;
        connection.connecting = false;
        connection.awaitingReply = false;
        outstandingInWindow -= connection.inWindowOutstanding;
        connection.inWindowOutstanding = 0;
        if (connection.key != null)
        {
            connection.key.cancel();
        }
        connection.closeChannel();
    }

    private void closeAll()
    {
        for (final LoadConnection connection : connections)
        {
            connection.closeChannel();
        }
        if (selector != null)
        {
            selector.close();
        }
    }
}
