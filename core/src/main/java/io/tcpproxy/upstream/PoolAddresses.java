package io.tcpproxy.upstream;

import io.tcpproxy.config.HostPort;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pool's configured entries and the addresses they stand for, made into servers: one {@link UpstreamServer} per
 * distinct address of an entry (a literal IP is parsed, never looked up). Resolves on the thread that builds the
 * pool; {@link #refresh} and {@link #announce} run on the health agent's thread only.
 */
final class PoolAddresses
{
    private final PoolSpec spec;
    private final Resolver resolver;
    private final UpstreamListener listener;
    private final boolean[] isName;
    private final InetAddress[][] addresses; // per entry; written on the agent thread only after construction
    private final boolean[] changedByRefresh; // per entry: what the last refresh changed, for announce

    PoolAddresses(final PoolSpec spec, final Resolver resolver, final UpstreamListener listener)
    {
        this.spec = spec;
        this.resolver = resolver;
        this.listener = listener;
        final List<ServerSpec> specs = spec.servers();
        this.isName = new boolean[specs.size()];
        this.addresses = new InetAddress[specs.size()][];
        this.changedByRefresh = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++)
        {
            final String host = specs.get(i).hostPort().host();
            isName[i] = !HostPort.isLiteralIp(host);
            addresses[i] = new InetAddress[0];
            try
            {
                // a literal is parsed, never looked up
                addresses[i] = isName[i] ? resolve(host) : new InetAddress[] {InetAddress.getByName(host)};
            }
            catch (final UnknownHostException ex)
            {
                listener.onResolveFailed(specs.get(i).addr(), String.valueOf(ex.getMessage()));
            }
        }
    }

    Resolver resolver()
    {
        return resolver;
    }

    long dnsRefreshNs()
    {
        return TimeUnit.SECONDS.toNanos(spec.dnsRefreshSecs());
    }

    boolean hasHostNames()
    {
        for (final boolean name : isName)
        {
            if (name)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param existing servers to take over where their entry and address stay (reconfigured with the entry).
     * @return one server per distinct address of each entry, in configuration order.
     */
    UpstreamServer[] servers(final UpstreamServer[] existing)
    {
        final List<ServerSpec> specs = spec.servers();
        final List<UpstreamServer> servers = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++)
        {
            final ServerSpec serverSpec = specs.get(i);
            final HostPort hostPort = serverSpec.hostPort();
            for (final InetAddress address : distinct(addresses[i]))
            {
                final InetSocketAddress socketAddress = new InetSocketAddress(address, hostPort.port());
                UpstreamServer server = find(existing, serverSpec.addr(), socketAddress);
                if (server != null)
                {
                    server.reconfigure(serverSpec);
                }
                else
                {
                    final String label = isName[i] ? serverSpec.addr() + "/" + ipText(address) : serverSpec.addr();
                    server = new UpstreamServer(label, serverSpec, socketAddress, spec.name());
                }
                servers.add(server);
            }
        }
        return servers.toArray(new UpstreamServer[0]);
    }

    /**
     * Resolve the host names again (a name that fails keeps its previous addresses).
     *
     * @param current the servers in force.
     * @return the servers for the new addresses (kept ones are the same objects), or null when nothing changed.
     */
    UpstreamServer[] refresh(final UpstreamServer[] current)
    {
        final List<ServerSpec> specs = spec.servers();
        boolean changed = false;
        for (int i = 0; i < specs.size(); i++)
        {
            changedByRefresh[i] = false;
            if (!isName[i])
            {
                continue;
            }
            try
            {
                final InetAddress[] fresh = resolve(specs.get(i).hostPort().host());
                if (!sameAddresses(fresh, addresses[i]))
                {
                    addresses[i] = fresh;
                    changedByRefresh[i] = true;
                    changed = true;
                }
            }
            catch (final UnknownHostException ex)
            {
                listener.onResolveFailed(specs.get(i).addr(), String.valueOf(ex.getMessage()));
            }
        }
        return changed ? servers(current) : null;
    }

    /**
     * After a {@link #refresh} that changed the servers and once the new ones are in force: retire the servers whose
     * address went and tell the listener, one call per entry that changed.
     */
    void announce(final UpstreamServer[] old, final UpstreamServer[] fresh)
    {
        final List<ServerSpec> specs = spec.servers();
        for (int i = 0; i < specs.size(); i++)
        {
            if (!changedByRefresh[i])
            {
                continue;
            }
            final String addr = specs.get(i).addr();
            final List<UpstreamServer> added = new ArrayList<>();
            final List<UpstreamServer> removed = new ArrayList<>();
            for (final UpstreamServer server : fresh)
            {
                if (server.configuredAddr().equals(addr) && !contains(old, server))
                {
                    added.add(server);
                }
            }
            for (final UpstreamServer server : old)
            {
                if (server.configuredAddr().equals(addr) && !contains(fresh, server))
                {
                    server.retire();
                    removed.add(server);
                }
            }
            listener.onServersChanged(addr, added, removed);
        }
    }

    private InetAddress[] resolve(final String host) throws UnknownHostException
    {
        final InetAddress[] resolved = resolver.resolve(host);
        if (resolved == null || resolved.length == 0)
        {
            throw new UnknownHostException(host + ": no address");
        }
        return resolved;
    }

    private static List<InetAddress> distinct(final InetAddress[] addresses)
    {
        final List<InetAddress> result = new ArrayList<>();
        for (final InetAddress address : addresses)
        {
            if (!result.contains(address))
            {
                result.add(address);
            }
        }
        return result;
    }

    private static UpstreamServer find(
        final UpstreamServer[] servers, final String configuredAddr, final InetSocketAddress address)
    {
        for (final UpstreamServer server : servers)
        {
            if (server.configuredAddr().equals(configuredAddr) && server.address().equals(address))
            {
                return server;
            }
        }
        return null;
    }

    private static boolean contains(final UpstreamServer[] servers, final UpstreamServer wanted)
    {
        for (final UpstreamServer server : servers)
        {
            if (server == wanted)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddresses(final InetAddress[] a, final InetAddress[] b)
    {
        final List<InetAddress> left = distinct(a);
        final List<InetAddress> right = distinct(b);
        return left.size() == right.size() && left.containsAll(right);
    }

    /** @return the address as it shows in a label: IPv4 dotted, IPv6 compressed in brackets. */
    static String ipText(final InetAddress address)
    {
        final String text = address.getHostAddress();
        return address instanceof Inet6Address ? "[" + compressIpv6(text) + "]" : text;
    }

    private static String compressIpv6(final String text)
    {
        final int percent = text.indexOf('%');
        final String plain = percent >= 0 ? text.substring(0, percent) : text;
        final String[] groups = plain.split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++)
        {
            int j = i;
            while (j < groups.length && groups[j].equals("0"))
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0)
        {
            return plain;
        }
        final String head = String.join(":", Arrays.copyOfRange(groups, 0, bestStart));
        final String tail = String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }
}
