package io.tcpproxy.admin;

/**
 * One open connection as the admin API lists it, copied on its worker's thread.
 *
 * @param id              the connection's id (unique in the process; pages are ordered by it).
 * @param client          the real client {@code ip:port} (after an accepted PROXY-protocol header).
 * @param upstream        the upstream server {@code ip:port}, or null while none is chosen yet.
 * @param worker          the worker thread's number.
 * @param ageNs           time since it was accepted.
 * @param bytesUpstream   bytes relayed client to upstream.
 * @param bytesDownstream bytes relayed upstream to client.
 * @param state           {@code preamble}, {@code connecting}, {@code relaying} or {@code half-closed}.
 */
public record ConnectionInfo(
    long id,
    String client,
    String upstream,
    int worker,
    long ageNs,
    long bytesUpstream,
    long bytesDownstream,
    String state)
{
}
