/**
 * The preamble part of a worker: what a connection reads before it relays (an accepted PROXY-protocol header, a TLS
 * ClientHello peeked for SNI/ALPN routing), one bounded and timed step after another. Internal to the engine, not API.
 */
package io.tcpproxy.engine.preamble;
