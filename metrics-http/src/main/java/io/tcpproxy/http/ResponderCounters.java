package io.tcpproxy.http;

/**
 * The responder's own counters: requests answered by status code, errors, and what the connection limits did.
 * Written by the responder thread only; volatile so tests and the exporters read current values.
 * Rendered as Prometheus text ({@link #appendPrometheus}) and as a JSON member ({@link #appendJson}) next to the
 * proxy's families until the responder registers its own family.
 */
final class ResponderCounters
{
    /** The status codes the responder sends; anything else is counted as "other" (a bounded label set). */
    static final int[] CODES = {200, 400, 404, 405, 431, 500, 503};

    private final long[] requestsByCode = new long[CODES.length + 1];
    private volatile long requestTotal;
    volatile long errors;
    volatile long connectionsShed;
    volatile long timedOutConnections;
    volatile long acceptPauses;
    volatile long deferredWrites;
    volatile long eventClientsDropped;
    volatile long refusedConnections;
    volatile int connections;
    volatile int eventClients;

    void countResponse(final int status)
    {
        int index = CODES.length;
        for (int i = 0; i < CODES.length; i++)
        {
            if (CODES[i] == status)
            {
                index = i;
                break;
            }
        }
        requestsByCode[index]++;
        requestTotal = requestTotal + 1;
    }

    long requests(final int status)
    {
        if (requestTotal < 0) // never; the volatile read makes the writer's array stores visible to this thread
        {
            return 0;
        }
        for (int i = 0; i < CODES.length; i++)
        {
            if (CODES[i] == status)
            {
                return requestsByCode[i];
            }
        }
        return requestsByCode[CODES.length];
    }

    void appendPrometheus(final StringBuilder out)
    {
        out.append("# HELP tcp_proxy_http_requests_total Requests answered by the metrics HTTP responder, by status.\n")
            .append("# TYPE tcp_proxy_http_requests_total counter\n");
        for (int i = 0; i <= CODES.length; i++)
        {
            out.append("tcp_proxy_http_requests_total{code=\"")
                .append(i < CODES.length ? Integer.toString(CODES[i]) : "other").append("\"} ")
                .append(requestsByCode[i]).append('\n');
        }
        counter(out, "tcp_proxy_http_errors_total", "Unexpected errors in the metrics HTTP responder.", errors);
        counter(out, "tcp_proxy_http_connections_shed_total",
            "Responder connections closed to make room for a new one at the connection cap.", connectionsShed);
        counter(out, "tcp_proxy_http_connections_refused_total",
            "Responder connections refused at the cap because none could be shed.", refusedConnections);
        counter(out, "tcp_proxy_http_connections_timed_out_total",
            "Responder connections closed for a slow request head, idleness or a stalled write.", timedOutConnections);
        counter(out, "tcp_proxy_http_accept_pauses_total",
            "Times the responder paused accepting because accept failed (e.g. out of file descriptors).", acceptPauses);
        counter(out, "tcp_proxy_http_event_clients_dropped_total",
            "Dashboard event-stream clients dropped because they did not read their backlog.", eventClientsDropped);
        out.append("# HELP tcp_proxy_http_connections Open connections to the metrics HTTP responder.\n")
            .append("# TYPE tcp_proxy_http_connections gauge\n")
            .append("tcp_proxy_http_connections ").append(connections).append('\n')
            .append("# HELP tcp_proxy_http_event_clients Open dashboard event streams.\n")
            .append("# TYPE tcp_proxy_http_event_clients gauge\n")
            .append("tcp_proxy_http_event_clients ").append(eventClients).append('\n');
    }

    void appendJson(final StringBuilder out)
    {
        out.append("\"http\":{\"requests_by_code\":{");
        for (int i = 0; i <= CODES.length; i++)
        {
            if (i > 0)
            {
                out.append(',');
            }
            out.append('"').append(i < CODES.length ? Integer.toString(CODES[i]) : "other").append("\":")
                .append(requestsByCode[i]);
        }
        out.append("},\"errors\":").append(errors)
            .append(",\"connections_shed\":").append(connectionsShed)
            .append(",\"connections_refused\":").append(refusedConnections)
            .append(",\"connections_timed_out\":").append(timedOutConnections)
            .append(",\"event_clients_dropped\":").append(eventClientsDropped)
            .append(",\"connections\":").append(connections)
            .append(",\"event_clients\":").append(eventClients).append('}');
    }

    private static void counter(final StringBuilder out, final String name, final String help, final long value)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(" counter\n")
            .append(name).append(' ').append(value).append('\n');
    }
}
