package io.tcpproxy.upstream;

import java.io.PrintStream;
import java.util.List;

/**
 * The console lines for a pool: one at startup listing the servers, one per state change.
 */
public final class UpstreamConsole
{
    private UpstreamConsole()
    {
    }

    /**
     * E.g. {@code [UPSTREAM] pool default: round_robin over 2 servers: 10.0.0.1:5432 (weight 2), 10.0.0.2:5432
     * (backup); connect_attempts 3; health checks every 2000 ms (timeout 1000 ms, rise 2, fall 3); passive ejection
     * after 5 failed connects for 30 s}.
     *
     * @param pool the pool.
     * @return the startup line.
     */
    public static String startupLine(final UpstreamPool pool)
    {
        final PoolSpec spec = pool.spec();
        final List<UpstreamServer> servers = pool.servers();
        final StringBuilder line = new StringBuilder("[UPSTREAM] pool ").append(spec.name()).append(": ")
            .append(spec.balance().label()).append(" over ").append(servers.size())
            .append(servers.size() == 1 ? " server: " : " servers: ");
        for (int i = 0; i < servers.size(); i++)
        {
            final UpstreamServer server = servers.get(i);
            line.append(i == 0 ? "" : ", ").append(server.label());
            final StringBuilder details = new StringBuilder();
            if (server.weight() != 1)
            {
                details.append("weight ").append(server.weight());
            }
            if (server.backup())
            {
                details.append(details.length() == 0 ? "" : ", ").append("backup");
            }
            if (server.maxConnections() != 0)
            {
                details.append(details.length() == 0 ? "" : ", ").append("max ").append(server.maxConnections());
            }
            if (details.length() > 0)
            {
                line.append(" (").append(details).append(')');
            }
        }
        if (servers.isEmpty())
        {
            line.append("none resolved yet");
        }
        line.append("; connect_attempts ").append(spec.connectAttempts());
        final HealthCheckSpec check = spec.healthCheck();
        if (check == null)
        {
            line.append("; no active health checks");
        }
        else
        {
            line.append("; health checks every ").append(check.intervalMs()).append(" ms (timeout ")
                .append(check.timeoutMs()).append(" ms, rise ").append(check.rise()).append(", fall ")
                .append(check.fall());
            if (check.port() != 0)
            {
                line.append(", port ").append(check.port());
            }
            if (check.sendBytes().length > 0 || check.expectBytes().length > 0)
            {
                line.append(", send ").append(check.sendBytes().length).append(" bytes, expect ")
                    .append(check.expectBytes().length).append(" bytes");
            }
            line.append(')');
        }
        final PassiveHealthSpec passive = spec.passiveHealth();
        if (passive.consecutiveFailures() == 0)
        {
            line.append("; passive ejection off");
        }
        else
        {
            line.append("; passive ejection after ").append(passive.consecutiveFailures())
                .append(" failed connects for ").append(passive.ejectionSecs()).append(" s");
        }
        return line.toString();
    }

    /**
     * @param server       the server.
     * @param up           its new state.
     * @param checksInARow the checks that decided it.
     * @param lastResult   the deciding check's result.
     * @return e.g. {@code [HEALTH] 10.0.0.1:5432 DOWN after 3 failed checks (connect_refused)} or
     * {@code [HEALTH] 10.0.0.1:5432 UP after 2 checks}.
     */
    public static String healthLine(
        final UpstreamServer server, final boolean up, final int checksInARow, final CheckResult lastResult)
    {
        if (up)
        {
            return "[HEALTH] " + server.label() + " UP after " + checksInARow + (checksInARow == 1 ? " check" : " checks");
        }
        return "[HEALTH] " + server.label() + " DOWN after " + checksInARow +
            (checksInARow == 1 ? " failed check (" : " failed checks (") + lastResult.label() + ")";
    }

    /**
     * @return e.g. {@code [HEALTH] 10.0.0.1:5432 EJECTED for 30 s after 5 failed connects (connect_refused)}.
     */
    static String ejectedLine(
        final UpstreamServer server, final long ejectionMs, final int failuresInARow, final ConnectFailure lastFailure)
    {
        return "[HEALTH] " + server.label() + " EJECTED for " + seconds(ejectionMs) + " after " + failuresInARow +
            (failuresInARow == 1 ? " failed connect (" : " failed connects (") + lastFailure.label() + ")";
    }

    /**
     * @return e.g. {@code [HEALTH] 10.0.0.1:5432 BACK after its ejection time}.
     */
    static String readmittedLine(final UpstreamServer server, final boolean byActiveCheck)
    {
        return "[HEALTH] " + server.label() + (byActiveCheck ? " BACK after a successful check" :
            " BACK after its ejection time");
    }

    static String serversChangedLine(
        final String configuredAddr, final List<UpstreamServer> added, final List<UpstreamServer> removed)
    {
        final StringBuilder line = new StringBuilder("[DNS] ").append(configuredAddr).append(':');
        for (final UpstreamServer server : added)
        {
            line.append(" +").append(PoolAddresses.ipText(server.address().getAddress()));
        }
        for (final UpstreamServer server : removed)
        {
            line.append(" -").append(PoolAddresses.ipText(server.address().getAddress()));
        }
        if (!removed.isEmpty())
        {
            line.append(" (removed addresses take no new clients; their connections finish normally)");
        }
        return line.toString();
    }

    static String resolveFailedLine(final String configuredAddr, final String message)
    {
        return "[DNS] " + configuredAddr + " did not resolve (" + message + "); keeping its previous addresses";
    }

    private static String seconds(final long ms)
    {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /**
     * A listener that prints one line per state change.
     *
     * @param out where to print (the console).
     * @return the listener.
     */
    public static UpstreamListener listener(final PrintStream out)
    {
        return new UpstreamListener()
        {
            @Override
            public void onHealthChanged(
                final UpstreamServer server, final boolean up, final int checksInARow, final CheckResult lastResult)
            {
                out.println(healthLine(server, up, checksInARow, lastResult));
            }

            @Override
            public void onEjected(
                final UpstreamServer server,
                final long ejectionMs,
                final int failuresInARow,
                final ConnectFailure lastFailure)
            {
                out.println(ejectedLine(server, ejectionMs, failuresInARow, lastFailure));
            }

            @Override
            public void onReadmitted(final UpstreamServer server, final boolean byActiveCheck)
            {
                out.println(readmittedLine(server, byActiveCheck));
            }

            @Override
            public void onServersChanged(
                final String configuredAddr, final List<UpstreamServer> added, final List<UpstreamServer> removed)
            {
                out.println(serversChangedLine(configuredAddr, added, removed));
            }

            @Override
            public void onResolveFailed(final String configuredAddr, final String message)
            {
                out.println(resolveFailedLine(configuredAddr, message));
            }
        };
    }
}
