/**
 * The upstream part of a worker: the routing table, the {@code UpstreamSelector} chosen at connect time (pools of
 * servers, or one {@code target_addr} name and its resolver), the connect with its timeout and retries, and the drain
 * of connections to servers a reload removed. Internal to the engine, not API.
 */
package io.tcpproxy.engine.upstream;
