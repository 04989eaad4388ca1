package io.tcpproxy.metrics;

import io.tcpproxy.config.Config;

import java.util.ArrayList;
import java.util.List;

/** The metric families of SNI routing (issue 15). */
public final class RouteFamilies
{
    /** Connections routed, by the pool chosen (by name, or the default pool when the name did not decide). */
    public static final MetricFamily ROUTE_CONNECTIONS = MetricFamily.counter("tcp_proxy_route_connections_total",
        "Connections routed by their TLS ClientHello, by the pool chosen (the default pool included).", "pool")
        .json("route_connections");

    private RouteFamilies()
    {
    }

    static void declare(final MetricsRegistry registry)
    {
        registry.declare(ROUTE_CONNECTIONS);
    }

    /** The collector's cells, one per configured pool, by pool index. */
    static final class Cells
    {
        private final MetricsRegistry registry;
        private final List<String> poolNames;
        private final MetricCell[] byPool;

        Cells(final MetricsRegistry registry, final Config config)
        {
            this.registry = registry;
            this.poolNames = new ArrayList<>(config.pools().keySet());
            this.byPool = new MetricCell[poolNames.size()];
        }

        /**
         * @param pool  index in {@code Config.pools()} order.
         * @param count connections routed there.
         */
        void add(final int pool, final long count)
        {
            if (pool < 0 || pool >= byPool.length)
            {
                return; // a pool removed by a reload since the worker counted: bounded labels over exactness
            }
            if (byPool[pool] == null)
            {
                byPool[pool] = registry.cell(ROUTE_CONNECTIONS, poolNames.get(pool));
            }
            byPool[pool].add(count);
        }
    }
}
