package io.tcpproxy.metrics;

import io.tcpproxy.CloseReason;

/**
 * The collector's cells for the proxy's own families, looked up once so that counting is a field access.
 */
final class ProxyCells
{
    private static final CloseReason[] REASONS = CloseReason.values();

    final MetricCell activeConnections;
    final MetricCell totalConnections;
    final MetricCell bytesUpstream;
    final MetricCell bytesDownstream;
    /** By {@link RejectReason} ordinal; every series exists (at 0) from the start. */
    final MetricCell[] rejectedByReason;
    /** Their sum, for the JSON's {@code rejected_connections}. */
    final MetricCell rejectedConnections;
    final MetricCell acceptPauses;
    final MetricCell internalErrors;
    final MetricCell ringFull;
    final MetricCell bufferInUse;
    final MetricCell bufferHighWater;
    final MetricCell bufferLimit;
    final MetricCell drainingCell;
    final MetricCell uptime;
    final MetricCell[] closesByReason;
    final MetricCell[] connectFailuresByReason;
    final MetricCell connectionDuration;
    final MetricCell upstreamConnectTime;
    final MetricCell[] workerActive;
    final MetricCell[] workerTotal;
    final MetricCell[] workerUp;
    final MetricCell[] workerDown;

    ProxyCells(final MetricsRegistry registry, final int workers)
    {
        closesByReason = new MetricCell[REASONS.length];
        connectFailuresByReason = new MetricCell[REASONS.length];
        activeConnections = registry.cell(Families.CONNECTIONS_ACTIVE);
        totalConnections = registry.cell(Families.CONNECTIONS_TOTAL);
        bytesUpstream = registry.cell(Families.BYTES_UPSTREAM);
        bytesDownstream = registry.cell(Families.BYTES_DOWNSTREAM);
        rejectedByReason = new MetricCell[RejectReason.values().length];
        for (final RejectReason reason : RejectReason.values())
        {
            rejectedByReason[reason.ordinal()] = registry.cell(Families.CONNECTIONS_REJECTED, reason.label());
        }
        rejectedConnections = registry.cell(AccessFamilies.CONNECTIONS_REJECTED_ALL);
        for (final CloseReason reason : REASONS)
        {
            closesByReason[reason.ordinal()] = registry.cell(Families.CONNECTIONS_CLOSED, reason.label());
        }
        for (final CloseReason reason : REASONS)
        {
            if (reason.isConnectFailure())
            {
                connectFailuresByReason[reason.ordinal()] =
                    registry.cell(Families.UPSTREAM_CONNECT_FAILURES, reason.label());
            }
        }
        ringFull = registry.cell(Families.METRICS_RING_FULL);
        acceptPauses = registry.cell(Families.ACCEPT_PAUSES);
        internalErrors = registry.cell(Families.INTERNAL_ERRORS);
        bufferInUse = registry.cell(Families.RELAY_BUFFER_BYTES);
        bufferHighWater = registry.cell(Families.RELAY_BUFFER_HIGH_WATER_BYTES);
        bufferLimit = registry.cell(Families.RELAY_BUFFER_LIMIT_BYTES);
        drainingCell = registry.cell(Families.DRAINING);
        uptime = registry.cell(Families.UPTIME);
        workerActive = new MetricCell[workers];
        workerTotal = new MetricCell[workers];
        workerUp = new MetricCell[workers];
        workerDown = new MetricCell[workers];
        for (int i = 0; i < workers; i++)
        {
            final String worker = Integer.toString(i);
            workerActive[i] = registry.cell(Families.WORKER_CONNECTIONS_ACTIVE, worker);
            workerTotal[i] = registry.cell(Families.WORKER_CONNECTIONS_TOTAL, worker);
            workerUp[i] = registry.cell(Families.WORKER_BYTES_UPSTREAM, worker);
            workerDown[i] = registry.cell(Families.WORKER_BYTES_DOWNSTREAM, worker);
        }
        connectionDuration = registry.cell(Families.CONNECTION_DURATION);
        upstreamConnectTime = registry.cell(Families.UPSTREAM_CONNECT_TIME);
    }
}
