package io.tcpproxy.engine.relay;

import java.nio.channels.SelectionKey;

/**
 * A connection's selection interest, derived from its state and its flows: read while a flow wants to, write while
 * bytes are pending. Keys change only when the interest differs (no epoll_ctl per message).
 */
final class Interest
{
    private Interest()
    {
    }

    /** Set the keys' interest from the connection's state (a system call only when it changes). */
    static void update(final Connection connection)
    {
        if (connection.state == Connection.PREAMBLE)
        {
            set(connection.clientKey, connection.up.starved ? 0 : SelectionKey.OP_READ);
            return;
        }
        if (connection.state != Connection.OPEN)
        {
            return;
        }
        final Flow up = connection.up;
        final Flow down = connection.down;
        set(connection.clientKey,
            (up.wantsRead() ? SelectionKey.OP_READ : 0) | (down.pending != null ? SelectionKey.OP_WRITE : 0));
        set(connection.upstreamKey,
            (down.wantsRead() ? SelectionKey.OP_READ : 0) | (up.pending != null ? SelectionKey.OP_WRITE : 0));
    }

    private static void set(final SelectionKey key, final int ops)
    {
        if (key.interestOps() != ops)
        {
            key.interestOps(ops);
        }
    }
}
