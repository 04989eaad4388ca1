package io.tcpproxy.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks that span several keys, run once when a {@link Config} is built, and the pools they resolve: which
 * servers each pool has and its effective balancing and health check.
 */
final class ConfigChecks
{
    private ConfigChecks()
    {
    }

    /**
     * @throws ConfigException when {@code buffer_pool_mb} cannot hold two buffers of {@code buffer_size}.
     */
    static void checkBufferPool(final ConfigValues settings)
    {
        if ((long)settings.bufferPoolMb * 1024 * 1024 < 2L * settings.bufferSizeBytes)
        {
            throw settings.error(ConfigKey.BUFFER_POOL_MB.tomlName(), ConfigKey.BUFFER_POOL_MB.tomlName(),
                "must hold at least two buffers of buffer_size (" + settings.bufferSizeBytes + " bytes)");
        }
    }

    /**
     * @param settings  the values being built.
     * @param upstreams every server ({@code [[upstream]]} tables, or {@code target_addr} as one).
     * @return the pools by name in order of first appearance.
     * @throws ConfigException naming the file, line and key at fault.
     */
    static Map<String, Pool> checkAndResolvePools(final ConfigValues settings, final List<Upstream> upstreams)
    {
        if (!settings.upstreams.isEmpty() && settings.targetSet)
        {
            throw settings.error("target_addr", "target_addr",
                "cannot be used together with [[upstream]] tables; write that server as one more [[upstream]]");
        }
        if (settings.acceptProxyProtocol && settings.proxyProtocolTrusted.isEmpty())
        {
            throw settings.error(settings.lines.containsKey("proxy_protocol_trusted") ? "proxy_protocol_trusted" :
                "accept_proxy_protocol", "proxy_protocol_trusted",
                "is empty while accept_proxy_protocol = true; list the networks of the proxies allowed to send a " +
                "PROXY header, e.g. [\"10.0.0.0/8\"]");
        }

        final Map<String, List<Upstream>> byPool = new LinkedHashMap<>();
        for (final Upstream upstream : upstreams)
        {
            byPool.computeIfAbsent(upstream.pool(), name -> new ArrayList<>()).add(upstream);
        }
        for (final String name : settings.poolSettings.keySet())
        {
            if (!byPool.containsKey(name))
            {
                throw settings.error("pool." + name, "pool." + name, noServers(name));
            }
        }
        for (int i = 0; i < settings.routes.size(); i++)
        {
            final String pool = settings.routes.get(i).pool();
            if (!byPool.containsKey(pool))
            {
                throw settings.error("route#" + i + ".pool", "route.pool", noServers(pool));
            }
        }
        if (settings.routes.isEmpty() && !byPool.containsKey(Upstream.DEFAULT_POOL))
        {
            throw settings.error("upstream#0", "upstream", "no server in pool \"default\": without [[route]] tables " +
                "every connection goes to pool \"default\", and the servers name only " + byPool.keySet());
        }
        final String defaultPool = settings.sniDefaultPool;
        if (!settings.routes.isEmpty() && !defaultPool.isEmpty() && !byPool.containsKey(defaultPool))
        {
            throw settings.error("sni_default_pool", "sni_default_pool", noServers(settings.sniDefaultPool) +
                "; name a pool that has servers, or \"\" to close connections no route matches");
        }

        final Map<String, Pool> pools = new LinkedHashMap<>();
        for (final Map.Entry<String, List<Upstream>> entry : byPool.entrySet())
        {
            final String name = entry.getKey();
            final PoolSettings own = settings.poolSettings.getOrDefault(name, PoolSettings.builder(name).build());
            pools.put(name, new Pool(own.over(settings.balance, settings.healthCheck), entry.getValue()));
        }
        return Collections.unmodifiableMap(pools);
    }

    private static String noServers(final String pool)
    {
        return "pool \"" + pool + "\" has no servers (no [[upstream]] has pool = \"" + pool + "\")";
    }
}
