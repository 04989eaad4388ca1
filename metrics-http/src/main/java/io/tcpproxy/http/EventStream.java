package io.tcpproxy.http;

import io.tcpproxy.CloseReason;
import io.tcpproxy.metrics.MetricsSnapshot;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The dashboard's Server-Sent Events: once per interval, one JSON snapshot (the {@code /metrics?format=json}
 * document plus per-second {@code rates} computed here and the responder's {@code http} counters), encoded once
 * and appended to every subscriber's output. Runs on the responder thread; the relay threads are never touched.
 */
final class EventStream
{
    /** Delivers one encoded frame to one subscriber (or drops the subscriber when its backlog is full). */
    interface Publisher
    {
        void publish(HttpConnection subscriber, byte[] frame, int length);
    }

    private static final CloseReason[] REASONS = CloseReason.values();

    private final Supplier<MetricsSnapshot> snapshots;
    private final ResponderCounters counters;
    private final StringBuilder text = new StringBuilder(16 * 1024);
    private HttpConnection[] subscribers = new HttpConnection[16];
    private int subscriberCount;
    private byte[] frame = new byte[16 * 1024];

    private long lastTimestampMs = Long.MIN_VALUE;
    private long lastTotalConnections;
    private long lastBytesUpstream;
    private long lastBytesDownstream;
    private long lastCloses;
    private long lastRejected;
    private double connectionsPerSecond;
    private double bytesUpstreamPerSecond;
    private double bytesDownstreamPerSecond;
    private double closesPerSecond;
    private double rejectionsPerSecond;

    EventStream(final Supplier<MetricsSnapshot> snapshots, final ResponderCounters counters)
    {
        this.snapshots = snapshots;
        this.counters = counters;
    }

    int subscriberCount()
    {
        return subscriberCount;
    }

    void add(final HttpConnection subscriber)
    {
        if (subscriberCount == subscribers.length)
        {
            subscribers = Arrays.copyOf(subscribers, subscriberCount * 2);
        }
        subscriber.streamIndex = subscriberCount;
        subscribers[subscriberCount++] = subscriber;
        counters.eventClients = subscriberCount;
    }

    void remove(final HttpConnection subscriber)
    {
        final int index = subscriber.streamIndex;
        if (index < 0)
        {
            return;
        }
        final HttpConnection last = subscribers[--subscriberCount];
        subscribers[index] = last;
        last.streamIndex = index;
        subscribers[subscriberCount] = null;
        subscriber.streamIndex = -1;
        counters.eventClients = subscriberCount;
    }

    /**
     * Render the current snapshot once and publish it to every subscriber.
     */
    void tick(final Publisher publisher)
    {
        if (0 == subscriberCount)
        {
            return;
        }
        final MetricsSnapshot snapshot = snapshots.get();
        if (null == snapshot)
        {
            return;
        }
        updateRates(snapshot);

        final StringBuilder text = this.text;
        text.setLength(0);
        text.append("event: snapshot\ndata: ");
        JsonFormat.render(snapshot, text);
        MetricsHandler.reopenJsonObject(text);
        text.append(",\"rates\":{\"connections_per_second\":");
        Doubles.append(text, connectionsPerSecond);
        text.append(",\"bytes_upstream_per_second\":");
        Doubles.append(text, bytesUpstreamPerSecond);
        text.append(",\"bytes_downstream_per_second\":");
        Doubles.append(text, bytesDownstreamPerSecond);
        text.append(",\"closes_per_second\":");
        Doubles.append(text, closesPerSecond);
        text.append(",\"rejections_per_second\":");
        Doubles.append(text, rejectionsPerSecond);
        text.append("},");
        counters.appendJson(text);
        text.append("}\n\n");

        final int bytes = Utf8.encodedLength(text);
        if (frame.length < bytes)
        {
            frame = new byte[bytes + (bytes >> 2)];
        }
        final int length = Utf8.encode(text, frame);
        // Backwards: a subscriber dropped by the publisher is replaced by the last one, already visited.
        for (int i = subscriberCount - 1; i >= 0; i--)
        {
            publisher.publish(subscribers[i], frame, length);
        }
    }

    private void updateRates(final MetricsSnapshot snapshot)
    {
        final long timestampMs = snapshot.timestampMs();
        long closes = 0;
        for (final CloseReason reason : REASONS)
        {
            closes += snapshot.closes(reason);
        }
        if (Long.MIN_VALUE != lastTimestampMs && timestampMs > lastTimestampMs)
        {
            final double seconds = (timestampMs - lastTimestampMs) / 1000.0;
            connectionsPerSecond = (snapshot.totalConnections() - lastTotalConnections) / seconds;
            bytesUpstreamPerSecond = (snapshot.bytesUpstream() - lastBytesUpstream) / seconds;
            bytesDownstreamPerSecond = (snapshot.bytesDownstream() - lastBytesDownstream) / seconds;
            closesPerSecond = (closes - lastCloses) / seconds;
            rejectionsPerSecond = (snapshot.rejectedConnections() - lastRejected) / seconds;
        }
        if (timestampMs != lastTimestampMs)
        {
            lastTimestampMs = timestampMs;
            lastTotalConnections = snapshot.totalConnections();
            lastBytesUpstream = snapshot.bytesUpstream();
            lastBytesDownstream = snapshot.bytesDownstream();
            lastCloses = closes;
            lastRejected = snapshot.rejectedConnections();
        }
    }
}
