package io.tcpproxy.engine.relay;

import java.util.ArrayDeque;

/**
 * Flows whose reading paused because the worker's buffer pool ran dry (back-pressure), resumed first in, first out
 * as buffers come back. A flow closed meanwhile is skipped.
 */
final class StarvedFlows
{
    private final ArrayDeque<Flow> waiting = new ArrayDeque<>();

    /** No buffer for this flow's source: stop reading it until buffers come back. */
    void add(final Flow flow)
    {
        flow.starved = true;
        waiting.add(flow);
        Interest.update(flow.connection);
    }

    /**
     * @param availableBuffers buffers free now: at most this many flows resume.
     * @return flows resumed.
     */
    int resume(final int availableBuffers)
    {
        int resumed = 0;
        while (!waiting.isEmpty() && resumed < availableBuffers)
        {
            final Flow flow = waiting.poll();
            if (flow.starved && flow.connection.state != Connection.CLOSED)
            {
                flow.starved = false;
                Interest.update(flow.connection);
                resumed++;
            }
        }
        return resumed;
    }

    boolean isEmpty()
    {
        return waiting.isEmpty();
    }
}
