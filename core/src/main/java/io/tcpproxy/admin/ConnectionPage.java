package io.tcpproxy.admin;

import java.util.List;

/**
 * One page of the open connections, lowest ids first.
 *
 * @param connections at most the page size asked for.
 * @param nextAfter   the {@code after} value for the next page, or -1 when this page is the last.
 * @param complete    false when a worker did not answer in time (its connections are missing from the page).
 */
public record ConnectionPage(List<ConnectionInfo> connections, long nextAfter, boolean complete)
{
    /** The largest page one request may ask for: bounds the memory of one request. */
    public static final int MAX_LIMIT = 1000;
}
