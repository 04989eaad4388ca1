package io.tcpproxy.engine;

import io.tcpproxy.engine.relay.Connection;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;

/**
 * A worker's deadlines on one timer wheel: at most one per connection (connect timeout, then the idle deadline,
 * re-armed lazily from the connection's last activity), the admission part's accept resume, and the end of the
 * drain of a connection whose server a reload removed ({@code removed_server_drain_secs}).
 */
public final class WorkerTimers
{
    /** Where expired timers go, on the worker's thread. */
    interface Expiry
    {
        void onConnectionTimer(Connection connection, long nowNs);

        void onAcceptResume();

        /** The connection's server was removed by a reload and its drain time is over. */
        void onServerRemoved(Connection connection);
    }

    private static final int TICK_BITS = 24;
    private static final int EXPIRY_LIMIT = 1024;
    private static final int MAX_CATCH_UP_POLLS = 4096;

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Connection> connectionByTimerId = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Connection> removalByTimerId = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler handler = this::onExpiry;
    private Expiry expiry;
    private long acceptResumeTimerId = Connection.NO_TIMER;

    WorkerTimers(final long nowNs)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNs, 1L << TICK_BITS, 512);
    }

    void expiry(final Expiry expiry)
    {
        this.expiry = expiry;
    }

    /** Replace the connection's timer with one at {@code deadlineNs}. */
    public void schedule(final Connection connection, final long deadlineNs)
    {
        cancel(connection);
        final long timerId = wheel.scheduleTimer(deadlineNs);
        connection.timerId = timerId;
        connectionByTimerId.put(timerId, connection);
    }

    public void cancel(final Connection connection)
    {
        connection.timerId = cancel(connection.timerId, connectionByTimerId);
    }

    /** Close the connection (its server was removed) at {@code deadlineNs}, unless an earlier such close is due. */
    public void scheduleRemoval(final Connection connection, final long deadlineNs)
    {
        if (connection.removalTimerId != Connection.NO_TIMER)
        {
            if (connection.removalDeadlineNs - deadlineNs <= 0)
            {
                return;
            }
            cancelRemoval(connection);
        }
        final long timerId = wheel.scheduleTimer(deadlineNs);
        connection.removalTimerId = timerId;
        connection.removalDeadlineNs = deadlineNs;
        removalByTimerId.put(timerId, connection);
    }

    public void cancelRemoval(final Connection connection)
    {
        connection.removalTimerId = cancel(connection.removalTimerId, removalByTimerId);
    }

    /** @return {@link Connection#NO_TIMER}, for the field that held {@code timerId}. */
    private long cancel(final long timerId, final Long2ObjectHashMap<Connection> byTimerId)
    {
        if (timerId != Connection.NO_TIMER)
        {
            byTimerId.remove(timerId);
            wheel.cancelTimer(timerId);
        }
        return Connection.NO_TIMER;
    }

    public void scheduleAcceptResume(final long deadlineNs)
    {
        cancelAcceptResume();
        acceptResumeTimerId = wheel.scheduleTimer(deadlineNs);
    }

    public void cancelAcceptResume()
    {
        if (acceptResumeTimerId != Connection.NO_TIMER)
        {
            wheel.cancelTimer(acceptResumeTimerId);
            acceptResumeTimerId = Connection.NO_TIMER;
        }
    }

    /** @return milliseconds until the next tick that may hold a deadline (at least 1), or {@code idleMs} if none. */
    long millisToNextTick(final long nowNs, final long idleMs)
    {
        if (wheel.timerCount() == 0)
        {
            return idleMs;
        }
        return Math.max(1, Math.min(idleMs, (wheel.currentTickTime() - nowNs) / 1_000_000 + 1));
    }

    /** @return timers expired. */
    int poll(final long nowNs)
    {
        if (wheel.timerCount() == 0)
        {
            wheel.currentTickTime(nowNs);
            return 0;
        }
        int expired = 0;
        for (int i = 0; i < MAX_CATCH_UP_POLLS && wheel.currentTickTime() <= nowNs; i++)
        {
            expired += wheel.poll(nowNs, handler, EXPIRY_LIMIT);
        }
        return expired;
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long nowNs, final long timerId)
    {
        if (timerId == acceptResumeTimerId)
        {
            acceptResumeTimerId = Connection.NO_TIMER;
            expiry.onAcceptResume();
            return true;
        }
        final Connection connection = connectionByTimerId.remove(timerId);
        if (connection != null && connection.timerId == timerId)
        {
            connection.timerId = Connection.NO_TIMER;
            expiry.onConnectionTimer(connection, nowNs);
            return true;
        }
        final Connection removed = removalByTimerId.remove(timerId);
        if (removed != null && removed.removalTimerId == timerId)
        {
            removed.removalTimerId = Connection.NO_TIMER;
            expiry.onServerRemoved(removed);
        }
        return true;
    }
}
