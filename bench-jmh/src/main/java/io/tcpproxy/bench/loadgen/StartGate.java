package io.tcpproxy.bench.loadgen;

import java.util.concurrent.CountDownLatch;

/**
 * Lets all workers connect first, then start on one common clock.
 */
final class StartGate
{
    final CountDownLatch connected;
    final CountDownLatch go = new CountDownLatch(1);
    volatile long startNs;

    StartGate(final int workers)
    {
        connected = new CountDownLatch(workers);
    }
}
