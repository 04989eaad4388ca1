package io.tcpproxy.upstream;

import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One server's active check: its schedule, the socket of the check in flight (null between checks) and its verdict
 * (rise/fall). Owned by the health agent's thread, which schedules the probes; a probe runs one check at a time:
 * connect, send {@code send}, read until the reply matched {@code expect}. Each step returns the check's result once
 * there is one, or null while the check is in flight.
 */
final class HealthProbe
{
    private final UpstreamServer server;
    private final InetSocketAddress target;
    private final HealthState state;
    private final ByteBuffer send;
    private final byte[] expect;
    private final ByteBuffer readBuffer; // the agent's, shared by its probes
    private long nextCheckNs;
    private long deadlineNs;
    private int expectMatchedBytes;
    private SocketChannel channel;
    private SelectionKey key;

    HealthProbe(
        final UpstreamServer server,
        final HealthCheckSpec spec,
        final long firstCheckNs,
        final ByteBuffer readBuffer)
    {
        this.server = server;
        this.target = spec.port() == 0 ?
            server.address() : new InetSocketAddress(server.address().getAddress(), spec.port());
        // a server a reload kept starts from its verdict: a down one needs rise successes to come back
        this.state = new HealthState(spec.rise(), spec.fall(), server.isHealthy());
        this.nextCheckNs = firstCheckNs;
        final byte[] sendBytes = spec.sendBytes();
        this.send = ByteBuffer.allocateDirect(sendBytes.length);
        this.send.put(sendBytes).flip();
        this.expect = spec.expectBytes();
        this.readBuffer = readBuffer;
    }

    UpstreamServer server()
    {
        return server;
    }

    /** @return true when no check is in flight and the next one is due. */
    boolean isDue(final long nowNs)
    {
        return channel == null && nowNs - nextCheckNs >= 0;
    }

    /** @return true when the check in flight ran out of time. */
    boolean isLate(final long nowNs)
    {
        return channel != null && nowNs - deadlineNs >= 0;
    }

    /** @return when this probe next needs the agent: its next check, or the deadline of the one in flight. */
    long nextDueNs()
    {
        return channel == null ? nextCheckNs : deadlineNs;
    }

    /**
     * Start the next check: schedule the one after, open the socket and connect.
     *
     * @return the result when the check ended at once, else null.
     */
    CheckResult start(final Selector selector, final long nowNs, final long intervalNs, final long timeoutNs)
    {
        nextCheckNs += intervalNs;
        if (nowNs - nextCheckNs >= 0)
        {
            nextCheckNs = nowNs + intervalNs; // fell behind (a slow DNS answer, a paused machine): no catch-up burst
        }
        deadlineNs = nowNs + timeoutNs;
        expectMatchedBytes = 0;
        send.clear();
        try
        {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            if (channel.connect(target))
            {
                return onConnected(selector);
            }
            key = channel.register(selector, SelectionKey.OP_CONNECT, this);
            return null;
        }
        catch (final ConnectException ex)
        {
            return CheckResult.CONNECT_REFUSED;
        }
        catch (final IOException | RuntimeException ex)
        {
            return CheckResult.ERROR;
        }
    }

    /**
     * The check's socket is ready.
     *
     * @return the result when the check ended, else null.
     */
    CheckResult onReady(final SelectionKey readyKey)
    {
        if (channel == null || !readyKey.isValid())
        {
            return null;
        }
        try
        {
            if (readyKey.isConnectable())
            {
                return channel.finishConnect() ? onConnected(readyKey.selector()) : null;
            }
            if (readyKey.isWritable())
            {
                return writeThenRead(readyKey.selector());
            }
            return readyKey.isReadable() ? read() : null;
        }
        catch (final ConnectException ex)
        {
            return CheckResult.CONNECT_REFUSED;
        }
        catch (final IOException | RuntimeException ex)
        {
            return CheckResult.ERROR;
        }
    }

    /**
     * End the check in flight with its result: close its socket, count it, and update the verdict and the server's
     * health.
     *
     * @return true when this check changed the verdict.
     */
    boolean finish(final CheckResult result)
    {
        close();
        key = null;
        server.countHealthCheck(result);
        final boolean changed = state.record(result == CheckResult.OK);
        server.healthy(state.up());
        return changed;
    }

    /** @return the verdict: up by the active checks. */
    boolean isUp()
    {
        return state.up();
    }

    /** @return the checks in a row behind the verdict: successes when up, failures when down. */
    int checksBehindVerdict()
    {
        return state.up() ? state.successesInARow() : state.failuresInARow();
    }

    /** Close the socket of the check in flight, if any, without a verdict. */
    void close()
    {
        CloseHelper.quietClose(channel);
        channel = null;
    }

    private CheckResult onConnected(final Selector selector) throws IOException
    {
        return send.hasRemaining() ? writeThenRead(selector) : awaitReply(selector);
    }

    private CheckResult writeThenRead(final Selector selector) throws IOException
    {
        channel.write(send);
        if (send.hasRemaining())
        {
            interest(selector, SelectionKey.OP_WRITE);
            return null;
        }
        return awaitReply(selector);
    }

    private CheckResult awaitReply(final Selector selector) throws IOException
    {
        if (expect.length == 0)
        {
            return CheckResult.OK;
        }
        interest(selector, SelectionKey.OP_READ);
        return null;
    }

    private CheckResult read() throws IOException
    {
        readBuffer.clear();
        readBuffer.limit(Math.min(readBuffer.capacity(), expect.length - expectMatchedBytes));
        final int read = channel.read(readBuffer);
        if (read < 0)
        {
            return CheckResult.BAD_REPLY; // closed before the expected bytes arrived
        }
        for (int i = 0; i < read; i++)
        {
            if (readBuffer.get(i) != expect[expectMatchedBytes++])
            {
                return CheckResult.BAD_REPLY;
            }
        }
        return expectMatchedBytes == expect.length ? CheckResult.OK : null;
    }

    private void interest(final Selector selector, final int ops) throws IOException
    {
        if (key == null)
        {
            key = channel.register(selector, ops, this);
        }
        else
        {
            key.interestOps(ops);
        }
    }
}
