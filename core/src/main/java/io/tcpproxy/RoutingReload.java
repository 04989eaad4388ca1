package io.tcpproxy;

import io.tcpproxy.config.Config;
import io.tcpproxy.config.ConfigKey;
import io.tcpproxy.engine.Engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The reload's servers, pools, routes and health settings: which top-level keys of those apply live, the
 * configuration that goes in force (the new file's tables with the running values of the keys that need a restart)
 * and what the reload line says about them.
 */
final class RoutingReload
{
    /** The top-level keys of upstream selection and routing that a running proxy applies. */
    static final Set<ConfigKey> ROUTING_KEYS = Collections.unmodifiableSet(EnumSet.of(
        ConfigKey.BALANCE, ConfigKey.CONNECT_ATTEMPTS, ConfigKey.DNS_REFRESH_SECS, ConfigKey.SNI_DEFAULT_POOL,
        ConfigKey.SNI_PEEK_TIMEOUT_MS, ConfigKey.SNI_PEEK_MAX_BYTES, ConfigKey.REMOVED_SERVER_DRAIN_SECS));

    private RoutingReload()
    {
    }

    /**
     * @return whether the servers can change live: both configurations use pools ({@code [[upstream]]} or a literal
     * {@code target_addr}); a {@code target_addr} host name keeps its own single-address path until a restart.
     */
    static boolean serversLive(final Config running, final Config newer)
    {
        return Engine.usesPools(running) && Engine.usesPools(newer);
    }

    /**
     * @param liveKeys the other keys applied live.
     * @return every top-level key applied live by this reload.
     */
    static Set<ConfigKey> appliedLive(final Set<ConfigKey> liveKeys, final Config running, final Config newer)
    {
        final Set<ConfigKey> keys = EnumSet.copyOf(liveKeys);
        if (serversLive(running, newer))
        {
            keys.addAll(ROUTING_KEYS);
            keys.add(ConfigKey.TARGET_ADDR);
        }
        return keys;
    }

    /**
     * @return the configuration that goes in force: {@code newer} (its tables included) with the running value of
     * every top-level key not in {@code live}; or, when the servers cannot change live, the running configuration
     * with the live keys of {@code newer}.
     * @throws IllegalArgumentException when the mix is not a valid configuration.
     */
    static Config inForce(final Config running, final Config newer, final Set<ConfigKey> live)
    {
        if (!serversLive(running, newer))
        {
            return running.withValuesFrom(newer, live);
        }
        final List<ConfigKey> kept = new ArrayList<>();
        for (final ConfigKey key : running.values().keySet())
        {
            if (!live.contains(key))
            {
                kept.add(key);
            }
        }
        return newer.withValuesFrom(running, kept);
    }

    /**
     * @param notLive where the tables that need a restart are reported.
     * @return the reload line's words for the tables that changed (the pools' own changes come from the engine).
     */
    static List<String> describe(final Config running, final Config newer, final List<String> notLive)
    {
        final List<String> changes = new ArrayList<>();
        final boolean tablesChanged = !running.upstreams().equals(newer.upstreams()) ||
            !running.pools().equals(newer.pools()) || !running.routes().equals(newer.routes()) ||
            !java.util.Objects.equals(running.healthCheck(), newer.healthCheck()) ||
            !java.util.Objects.equals(running.passiveHealth(), newer.passiveHealth());
        if (!serversLive(running, newer))
        {
            if (tablesChanged)
            {
                notLive.add("upstream servers, pools, routes or health checks with a target_addr host name " +
                    "(switching between a host name and servers needs a restart too)");
            }
            return changes;
        }
        if (!running.routes().equals(newer.routes()))
        {
            changes.add("routes changed");
        }
        return changes;
    }
}
