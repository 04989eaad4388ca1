package io.tcpproxy.upstream;

import java.util.List;

/**
 * Everything a pool is built from, as plain values: the mapping target of the {@code [[upstream]]},
 * {@code balance}, {@code connect_attempts}, {@code [health_check]}, {@code [passive_health]} and
 * {@code dns_refresh_secs} settings.
 *
 * @param name            the pool's name ({@code "default"} for the servers without a pool).
 * @param servers         at least one.
 * @param balance         the algorithm.
 * @param connectAttempts tries in all for one client, each on a different server; at least 1.
 * @param healthCheck     active checks; null: none.
 * @param passiveHealth   passive ejection settings; never null.
 * @param dnsRefreshSecs  how often host names are resolved again; at least 1.
 */
public record PoolSpec(
    String name,
    List<ServerSpec> servers,
    Balance balance,
    int connectAttempts,
    HealthCheckSpec healthCheck,
    PassiveHealthSpec passiveHealth,
    long dnsRefreshSecs)
{
    /** The default for {@code dns_refresh_secs}. */
    public static final long DEFAULT_DNS_REFRESH_SECS = 30;

    /**
     * Validate and copy the server list.
     *
     * @throws IllegalArgumentException saying what was expected.
     */
    public PoolSpec
    {
        if (name == null || name.isBlank())
        {
            throw new IllegalArgumentException("a pool needs a name");
        }
        if (servers == null || servers.isEmpty())
        {
            throw new IllegalArgumentException("pool \"" + name + "\" has no server: add an [[upstream]] addr");
        }
        servers = List.copyOf(servers);
        if (balance == null)
        {
            throw new IllegalArgumentException("pool \"" + name + "\" needs a balance");
        }
        if (connectAttempts < 1)
        {
            throw new IllegalArgumentException("connect_attempts must be 1 or more, got " + connectAttempts);
        }
        if (passiveHealth == null)
        {
            throw new IllegalArgumentException("pool \"" + name + "\" needs passive health settings");
        }
        if (dnsRefreshSecs < 1)
        {
            throw new IllegalArgumentException("dns_refresh_secs must be 1 or more, got " + dnsRefreshSecs);
        }
    }

    /**
     * A pool with defaults: round robin, 3 connect attempts, no active checks, default passive health, DNS every 30 s.
     *
     * @param servers the servers.
     * @return the spec.
     */
    public static PoolSpec of(final List<ServerSpec> servers)
    {
        return new PoolSpec("default", servers, Balance.ROUND_ROBIN, 3, null, PassiveHealthSpec.defaults(),
            DEFAULT_DNS_REFRESH_SECS);
    }
}
