package io.tcpproxy.metrics;

/**
 * What the collector keeps about one open connection (collector thread only).
 */
final class ConnectionEntry
{
    final String endpoint;
    final ClientTable.Client client;
    String upstream;
    long connectNs = -1;
    long up;
    long down;
    long loggedUp;
    long loggedDown;

    ConnectionEntry(final String endpoint, final ClientTable.Client client)
    {
        this.endpoint = endpoint;
        this.client = client;
    }
}
