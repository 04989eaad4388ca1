/**
 * The relay part of a worker: a connection as a small state machine (preamble, connecting, open, closed), its two
 * flows, and reading, writing, half-close, back-pressure and deferred writes through pooled direct buffers.
 * Internal to the engine, not API.
 */
package io.tcpproxy.engine.relay;
