package io.tcpproxy.config;

/** How clients are accepted. */
public enum AcceptMode
{
    /** One listener per worker bound with SO_REUSEPORT: the kernel spreads connections, no hand-off. */
    REUSE_PORT,
    /** One listener registered with every worker's selector; whichever worker wakes first accepts. */
    SHARED,
    /** One acceptor thread blocks in accept and hands channels to the workers in turn through bounded queues. */
    ACCEPTOR
}
