package io.tcpproxy.engine.preamble;

import io.tcpproxy.access.CidrMatcher;
import io.tcpproxy.access.CidrRange;
import io.tcpproxy.config.Cidr;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.engine.EngineContext;
import io.tcpproxy.engine.admission.AccessGate;
import io.tcpproxy.engine.relay.Connection;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One worker's preamble settings, read from the config once: whether clients open with a PROXY header (and from
 * where that is trusted) and its deadline; and the worker's reusable {@link PreambleChain}s. Makes a chain for each
 * connection that needs one. The SNI routes and the peek's limits come from the connection's routing table (a
 * reload may change them).
 */
final class PreambleSteps implements PreambleHandler.Factory
{
    /** Chains kept for reuse; beyond this many finished at once the rest are left to the garbage collector. */
    private static final int MAX_SPARE_CHAINS = 1024;

    final boolean acceptHeader;
    final boolean keepTlvs;
    final long headerTimeoutNs;
    private final CidrMatcher trustedSources;
    private final EngineContext context;
    private final ArrayDeque<PreambleChain> spareChains = new ArrayDeque<>();

    private PreambleSteps(final EngineContext context)
    {
        final Config config = context.config;
        this.context = context;
        this.acceptHeader = config.acceptProxyProtocol();
        this.keepTlvs = config.sendProxyProtocol() == SendProxyProtocol.V2;
        this.headerTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.proxyProtocolTimeoutMs());
        final List<CidrRange> ranges = new ArrayList<>();
        for (final Cidr cidr : config.proxyProtocolTrusted())
        {
            ranges.add(new CidrRange(cidr.address(), cidr.prefixLength()));
        }
        this.trustedSources = new CidrMatcher(ranges);
    }

    /**
     * @param context the engine's settings.
     * @return the steps the config asks for, or null when connections relay from their first byte.
     */
    static PreambleSteps of(final EngineContext context)
    {
        // with pools, a reload may add SNI routes: whether a connection peeks is read from its routing table
        if (!context.config.acceptProxyProtocol() && !context.usesPools && context.config.routes().isEmpty())
        {
            return null;
        }
        return new PreambleSteps(context);
    }

    boolean trusted(final byte[] address)
    {
        return trustedSources.matches(address, address.length);
    }

    AccessGate accessGate()
    {
        return context.accessGate;
    }

    public PreambleHandler newHandler(final Connection connection)
    {
        if (!acceptHeader && connection.routing.router == null)
        {
            return null; // no PROXY header and no routes in this connection's table: relay from the first byte
        }
        final PreambleChain chain = spareChains.poll();
        return chain == null ? new PreambleChain(this) : chain;
    }

    void recycle(final PreambleChain chain)
    {
        if (spareChains.size() < MAX_SPARE_CHAINS)
        {
            spareChains.push(chain);
        }
    }
}
