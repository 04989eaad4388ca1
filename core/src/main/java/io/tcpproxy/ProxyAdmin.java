package io.tcpproxy;

import io.tcpproxy.admin.AdminOps;
import io.tcpproxy.admin.ConnectionPage;
import io.tcpproxy.admin.ReloadResult;
import io.tcpproxy.engine.Engine;
import io.tcpproxy.metrics.ReloadFamilies;
import io.tcpproxy.upstream.AdminState;
import io.tcpproxy.upstream.UpstreamPool;
import io.tcpproxy.upstream.UpstreamServer;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy's side of the admin API: what the metrics endpoint's {@code /admin/...} routes call.
 */
final class ProxyAdmin implements AdminOps
{
    private final Engine engine;
    private final Reloader reloader;
    private final PrintStream console;

    ProxyAdmin(final Engine engine, final Reloader reloader, final PrintStream console)
    {
        this.engine = engine;
        this.reloader = reloader;
        this.console = console;
    }

    public String adminToken()
    {
        return reloader.current().adminToken();
    }

    public ReloadResult reload()
    {
        return reloader.reload();
    }

    public ConnectionPage connections(final long afterId, final int limit)
    {
        return engine.connections(afterId, limit);
    }

    public UpstreamActionResult upstreamAction(final String server, final String action)
    {
        final AdminState state;
        switch (action)
        {
            case "drain":
                state = AdminState.DRAINING;
                break;
            case "enable":
                state = AdminState.ENABLED;
                break;
            case "disable":
                state = AdminState.DISABLED; // and its open connections are closed below, reason admin_disabled
                break;
            default:
                return UpstreamActionResult.UNKNOWN_ACTION;
        }
        boolean found = false;
        for (final UpstreamServer candidate : upstreams(engine))
        {
            if (candidate.label().equals(server))
            {
                candidate.adminState(state);
                found = true;
            }
        }
        if (!found)
        {
            return UpstreamActionResult.UNKNOWN_SERVER;
        }
        console.println("[ADMIN] upstream " + server + " is now " + state.label());
        if (state == AdminState.DISABLED)
        {
            for (final UpstreamServer candidate : upstreams(engine))
            {
                if (candidate.label().equals(server))
                {
                    final int closed = engine.closeConnectionsTo(candidate, CloseReason.ADMIN_DISABLED);
                    console.println("[ADMIN] upstream " + server + ": closed " + closed + " connections (admin_disabled)");
                }
            }
        }
        return UpstreamActionResult.DONE;
    }

    public void requestServed(final String method, final String path, final int status)
    {
        final String result = result(status);
        engine.collector().update(registry -> registry.cell(ReloadFamilies.ADMIN_REQUESTS, result).increment());
        console.println("[ADMIN] " + method + " " + path + " -> " + status);
    }

    private static String result(final int status)
    {
        switch (status)
        {
            case 200:
                return "ok";
            case 401:
                return "unauthorized";
            case 404:
                return "not_found";
            case 405:
                return "method_not_allowed";
            default:
                return status < 500 ? "bad_request" : "error";
        }
    }

    /**
     * @param engine the running engine.
     * @return the servers of every pool, in pool order (empty with a single {@code target_addr} host name).
     */
    static List<UpstreamServer> upstreams(final Engine engine)
    {
        final List<UpstreamServer> servers = new ArrayList<>();
        for (final UpstreamPool pool : engine.upstreamPools())
        {
            servers.addAll(pool.servers());
        }
        return servers;
    }
}
