package io.tcpproxy.bench.loadgen;

/**
 * Told a few times a second how a measurement is going.
 */
@FunctionalInterface
public interface ProgressListener
{
    /** Ignores progress. */
    ProgressListener NONE = (phase, secondsLeft) -> {};

    /**
     * Where a measurement is.
     */
    enum Phase
    {
        /** Opening connections. */
        CONNECTING,
        /** Running, not recorded. */
        WARMING_UP,
        /** Running and recorded. */
        MEASURING,
        /** Waiting for the replies of requests sent in the measured window. */
        DRAINING
    }

    /**
     * @param phase       where the measurement is.
     * @param secondsLeft seconds until the end of the measured window (0 when draining).
     */
    void onProgress(Phase phase, double secondsLeft);

    /**
     * Called on the measuring thread within a few milliseconds of the start of the measured window.
     */
    default void onWindowStart()
    {
    }

    /**
     * Called on the measuring thread within a few milliseconds of the end of the measured window.
     */
    default void onWindowEnd()
    {
    }
}
