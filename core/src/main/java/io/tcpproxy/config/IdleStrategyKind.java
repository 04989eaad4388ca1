package io.tcpproxy.config;

/** What an idle worker does. */
public enum IdleStrategyKind
{
    /** Block in select until something happens (no CPU when idle). */
    BLOCK,
    /** Poll, then spin, yield and park with growing pauses. */
    BACKOFF,
    /** Poll in a busy loop: lowest latency, one full core per worker. */
    SPIN
}
