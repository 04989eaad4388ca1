package io.tcpproxy.admin;

/**
 * What the admin API (served by the metrics endpoint) may do to the running proxy. The proxy hands one to the
 * {@link io.tcpproxy.metrics.MetricsEndpointFactory}; every method is safe to call from the endpoint's thread and
 * returns within a bounded time (it waits at most a few seconds for the workers).
 */
public interface AdminOps
{
    /** What an upstream admin action found. */
    enum UpstreamActionResult
    {
        /** Done: the server's admin state is now as asked. */
        DONE,
        /** No server with that {@code host:port} label in any pool. */
        UNKNOWN_SERVER,
        /** Not one of drain, enable, disable. */
        UNKNOWN_ACTION
    }

    /** @return the admin token in force now; empty when the admin API is off. Reloadable. */
    String adminToken();

    /** @return the result of reading the configuration file again and applying it (as SIGHUP does). */
    ReloadResult reload();

    /**
     * @param afterId  list connections with an id above this (-1 from the start).
     * @param limit    at most this many (1 to {@link ConnectionPage#MAX_LIMIT}).
     * @return the page.
     */
    ConnectionPage connections(long afterId, int limit);

    /**
     * @param server the server's label as in the metrics, {@code host:port}.
     * @param action {@code drain}, {@code enable} or {@code disable}.
     * @return what happened.
     */
    UpstreamActionResult upstreamAction(String server, String action);

    /**
     * Count (and log on the console) one admin request.
     *
     * @param method  the request method.
     * @param path    the request path.
     * @param status  the HTTP status answered.
     */
    void requestServed(String method, String path, int status);
}
