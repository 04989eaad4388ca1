package io.tcpproxy.engine;

import io.tcpproxy.access.CidrMatcher;
import io.tcpproxy.access.CidrRange;
import io.tcpproxy.config.Cidr;
import io.tcpproxy.config.Config;
import io.tcpproxy.config.Route;
import io.tcpproxy.config.SendProxyProtocol;
import io.tcpproxy.protocol.SniRouter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One worker's preamble settings, read from the config once: whether clients open with a PROXY header (and from
 * where that is trusted), the SNI routes as pool indices, the deadlines; and the worker's reusable
 * {@link PreambleChain}s. Makes a chain for each connection that needs one.
 */
final class PreambleSteps implements PreambleHandler.Factory
{
    /** Chains kept for reuse; beyond this many finished at once the rest are left to the garbage collector. */
    private static final int MAX_SPARE_CHAINS = 1024;

    final boolean acceptHeader;
    final boolean keepTlvs;
    final long headerTimeoutNs;
    final SniRouter<Integer> router;
    final int defaultPool;
    final long peekTimeoutNs;
    final int peekMaxBytes;
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
        this.peekTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.sniPeekTimeoutMs());
        this.peekMaxBytes = config.sniPeekMaxBytes();
        if (config.routes().isEmpty())
        {
            this.router = null;
            this.defaultPool = -1;
        }
        else
        {
            final List<String> poolNames = new ArrayList<>(config.pools().keySet());
            final SniRouter.Builder<Integer> builder = SniRouter.builder();
            for (final Route route : config.routes())
            {
                final int pool = poolNames.indexOf(route.pool());
                if (pool < 0)
                {
                    throw new IllegalArgumentException("route to an unknown pool: " + route.pool());
                }
                builder.route(route.sni(), route.alpn(), pool);
            }
            final String defaultName = config.sniDefaultPool();
            this.defaultPool = defaultName == null || defaultName.isEmpty() ? -1 : poolNames.indexOf(defaultName);
            this.router = builder.build(defaultPool < 0 ? null : defaultPool);
        }
    }

    /**
     * @param context the engine's settings.
     * @return the steps the config asks for, or null when connections relay from their first byte.
     */
    static PreambleSteps of(final EngineContext context)
    {
        final Config config = context.config;
        if (!config.acceptProxyProtocol() && config.routes().isEmpty())
        {
            return null;
        }
        return new PreambleSteps(context);
    }

    boolean routes()
    {
        return router != null;
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
