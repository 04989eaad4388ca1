/**
 * The admission part of a worker: listeners and the acceptor, accepting and handing off to the least-loaded worker,
 * the pause while descriptors run short (EMFILE), {@code max_connections} and the access gate, and the one release of
 * everything admitted for a connection when it closes. Internal to the engine, not API.
 */
package io.tcpproxy.engine.admission;
