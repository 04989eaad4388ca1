/**
 * The CPU topology as Linux reports it and the {@code cpu_affinity} modes that place worker threads on it.
 * Internal to the engine, not API.
 */
package io.tcpproxy.engine.affinity;
