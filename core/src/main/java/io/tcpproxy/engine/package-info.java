/**
 * The engine's shell: {@link io.tcpproxy.engine.Engine} starts the listeners, the workers and the metrics collector,
 * and each {@link io.tcpproxy.engine.Worker} runs the duty cycle (clock, command queue, select, timers, metrics)
 * over its parts in the sub-packages. Internal to the proxy, not API: only the {@code io.tcpproxy} facade uses it.
 */
package io.tcpproxy.engine;
