package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

import java.util.List;

/**
 * Everything the proxy counts, frozen at one instant. Built by the collector thread and published through a
 * volatile field; safe to read from any thread.
 */
public final class MetricsSnapshot
{
    private static final int REASONS = CloseReason.values().length;

    private final long timestampMs;
    private final long uptimeMs;
    private final long activeConnections;
    private final long totalConnections;
    private final long bytesUpstream;
    private final long bytesDownstream;
    private final long rejectedConnections;
    private final long[] closesByReason;
    private final long[] connectFailuresByReason;
    private final long ringFullCount;
    private final long acceptPauses;
    private final boolean draining;
    private final List<TrafficStats> workers;
    private final List<TrafficStats> topClients;
    private final TrafficStats otherClients;
    private final boolean clientLabelsExported;
    private final HistogramSnapshot connectionDuration;
    private final HistogramSnapshot upstreamConnectTime;
    private final long bufferBytesInUse;
    private final long bufferBytesHighWater;
    private final long bufferBytesLimit;

    /**
     * Called by the collector; all arrays and lists are copied.
     *
     * @param timestampMs             wall clock when taken (epoch ms).
     * @param uptimeMs                time since the proxy started.
     * @param activeConnections       client connections open now.
     * @param totalConnections        client connections accepted.
     * @param bytesUpstream           bytes relayed client to upstream.
     * @param bytesDownstream         bytes relayed upstream to client.
     * @param rejectedConnections     clients closed at accept because max_connections were open.
     * @param closesByReason          closes indexed by {@link CloseReason#ordinal()}.
     * @param connectFailuresByReason upstream connect failures indexed by {@link CloseReason#ordinal()}.
     * @param ringFullCount           times a worker found its metrics ring full.
     * @param acceptPauses            times accepting paused because file descriptors ran out.
     * @param draining                true once a graceful shutdown has begun.
     * @param workers                 per-worker figures.
     * @param topClients              top K client IPs by bytes.
     * @param otherClients            the other clients, summed.
     * @param clientLabelsExported    whether Prometheus output should include per-client series.
     * @param connectionDuration      histogram of connection lifetimes.
     * @param upstreamConnectTime     histogram of upstream connect times.
     * @param bufferBytesInUse        relay buffer bytes held now.
     * @param bufferBytesHighWater    most relay buffer bytes held at once (summed per worker high-water marks).
     * @param bufferBytesLimit        the relay buffer bound over all workers.
     */
    public MetricsSnapshot(
        final long timestampMs,
        final long uptimeMs,
        final long activeConnections,
        final long totalConnections,
        final long bytesUpstream,
        final long bytesDownstream,
        final long rejectedConnections,
        final long[] closesByReason,
        final long[] connectFailuresByReason,
        final long ringFullCount,
        final long acceptPauses,
        final boolean draining,
        final List<TrafficStats> workers,
        final List<TrafficStats> topClients,
        final TrafficStats otherClients,
        final boolean clientLabelsExported,
        final HistogramSnapshot connectionDuration,
        final HistogramSnapshot upstreamConnectTime,
        final long bufferBytesInUse,
        final long bufferBytesHighWater,
        final long bufferBytesLimit)
    {
        if (closesByReason.length != REASONS || connectFailuresByReason.length != REASONS)
        {
            throw new IllegalArgumentException("reason arrays must have one slot per CloseReason");
        }
        this.timestampMs = timestampMs;
        this.uptimeMs = uptimeMs;
        this.activeConnections = activeConnections;
        this.totalConnections = totalConnections;
        this.bytesUpstream = bytesUpstream;
        this.bytesDownstream = bytesDownstream;
        this.rejectedConnections = rejectedConnections;
        this.closesByReason = closesByReason.clone();
        this.connectFailuresByReason = connectFailuresByReason.clone();
        this.ringFullCount = ringFullCount;
        this.acceptPauses = acceptPauses;
        this.draining = draining;
        this.workers = List.copyOf(workers);
        this.topClients = List.copyOf(topClients);
        this.otherClients = otherClients;
        this.clientLabelsExported = clientLabelsExported;
        this.connectionDuration = connectionDuration;
        this.upstreamConnectTime = upstreamConnectTime;
        this.bufferBytesInUse = bufferBytesInUse;
        this.bufferBytesHighWater = bufferBytesHighWater;
        this.bufferBytesLimit = bufferBytesLimit;
    }

    /** @return wall clock when taken (epoch ms). */
    public long timestampMs()
    {
        return timestampMs;
    }

    /** @return time since the proxy started, in ms. */
    public long uptimeMs()
    {
        return uptimeMs;
    }

    /** @return client connections open now. */
    public long activeConnections()
    {
        return activeConnections;
    }

    /** @return client connections accepted so far. */
    public long totalConnections()
    {
        return totalConnections;
    }

    /** @return bytes relayed from clients to the upstream. */
    public long bytesUpstream()
    {
        return bytesUpstream;
    }

    /** @return bytes relayed from the upstream to clients. */
    public long bytesDownstream()
    {
        return bytesDownstream;
    }

    /** @return clients closed at accept because max_connections were open. */
    public long rejectedConnections()
    {
        return rejectedConnections;
    }

    /** @param reason a close reason. @return connections closed for it. */
    public long closes(final CloseReason reason)
    {
        return closesByReason[reason.ordinal()];
    }

    /** @param reason a connect-failure reason. @return upstream connects that failed for it. */
    public long connectFailures(final CloseReason reason)
    {
        return connectFailuresByReason[reason.ordinal()];
    }

    /** @return times a worker found its metrics ring full (events were delayed, never lost). */
    public long ringFullCount()
    {
        return ringFullCount;
    }

    /** @return times accepting paused because file descriptors ran out. */
    public long acceptPauses()
    {
        return acceptPauses;
    }

    /** @return true once a graceful shutdown has begun. */
    public boolean draining()
    {
        return draining;
    }

    /** @return per-worker figures, in worker order. */
    public List<TrafficStats> workers()
    {
        return workers;
    }

    /** @return per-client figures for the top K client IPs by bytes, largest first (empty when disabled). */
    public List<TrafficStats> topClients()
    {
        return topClients;
    }

    /** @return clients outside the top K, summed. */
    public TrafficStats otherClients()
    {
        return otherClients;
    }

    /** @return whether Prometheus output should include per-client series. */
    public boolean clientLabelsExported()
    {
        return clientLabelsExported;
    }

    /** @return histogram of closed connection lifetimes. */
    public HistogramSnapshot connectionDuration()
    {
        return connectionDuration;
    }

    /** @return histogram of successful upstream connect times. */
    public HistogramSnapshot upstreamConnectTime()
    {
        return upstreamConnectTime;
    }

    /** @return relay buffer bytes held now, over all workers. */
    public long bufferBytesInUse()
    {
        return bufferBytesInUse;
    }

    /** @return the sum of each worker's high-water mark of relay buffer bytes held at once. */
    public long bufferBytesHighWater()
    {
        return bufferBytesHighWater;
    }

    /** @return the bound on relay buffer bytes over all workers. */
    public long bufferBytesLimit()
    {
        return bufferBytesLimit;
    }
}
