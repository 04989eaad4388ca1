package io.tcpproxy.engine.preamble;

import io.tcpproxy.CloseReason;
import io.tcpproxy.engine.relay.Connection;
import io.tcpproxy.engine.upstream.RoutingTable;
import io.tcpproxy.protocol.ClientHelloPeek;
import io.tcpproxy.protocol.ProxyHeader;
import io.tcpproxy.protocol.ProxyHeaderParser;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The preamble of one connection as configured: first a PROXY-protocol header (accept_proxy_protocol), then a TLS
 * ClientHello peek (when routes are set), each with its own deadline. Bytes after the header in the same read go on
 * to the peek, and what the peek saw stays in the buffer to be relayed untouched. Reused through
 * {@link PreambleSteps}, so a connection allocates only what it keeps (the real client's address).
 */
final class PreambleChain implements PreambleHandler
{
    private static final int HEADER = 0;
    private static final int HELLO = 1;
    private static final int END = 2;

    private final PreambleSteps steps;
    private final ProxyHeader header = new ProxyHeader();
    private ClientHelloPeek hello;
    /** The routing table of the connection served now: its routes and peek limits. */
    private RoutingTable routing;
    private int step = END;
    private boolean headerReceived;
    private int routedPool = -1;
    private CloseReason closeReason;

    PreambleChain(final PreambleSteps steps)
    {
        this.steps = steps;
    }

    public Outcome start(final Connection connection, final long nowNs)
    {
        header.clear();
        routing = connection.routing;
        headerReceived = false;
        routedPool = -1;
        closeReason = null;
        if (steps.acceptHeader)
        {
            if (!steps.trusted(connection.clientAddress))
            {
                step = END;
                closeReason = CloseReason.PROXY_PROTOCOL_UNTRUSTED;
                return Outcome.CLOSE;
            }
            step = HEADER;
            connection.sourcePending = true;
            deadline(connection, nowNs, steps.headerTimeoutNs);
            return Outcome.NEED_MORE;
        }
        return startHello(connection, nowNs);
    }

    public Outcome consume(final Connection connection, final ByteBuffer bytes, final long nowNs)
    {
        if (step == HEADER)
        {
            final Outcome outcome = consumeHeader(connection, bytes, nowNs);
            if (outcome != Outcome.NEED_MORE || step != HELLO || !bytes.hasRemaining())
            {
                return outcome;
            }
        }
        if (step == HELLO)
        {
            return consumeHello(connection, bytes);
        }
        return Outcome.DONE;
    }

    private Outcome consumeHeader(final Connection connection, final ByteBuffer bytes, final long nowNs)
    {
        switch (ProxyHeaderParser.parse(bytes, header))
        {
            case NEED_MORE:
                return Outcome.NEED_MORE;
            case ERROR:
                return close(CloseReason.PROXY_PROTOCOL_ERROR);
            case DONE:
            default:
                break;
        }
        if (steps.keepTlvs)
        {
            header.saveTlvs(bytes);
        }
        bytes.position(bytes.position() + header.headerBytes());
        headerReceived = true;
        if (header.command() == ProxyHeader.Command.PROXY &&
            (header.family() == ProxyHeader.Family.TCP4 || header.family() == ProxyHeader.Family.TCP6))
        {
            // LOCAL (a health check of the proxy in front) and UNKNOWN keep the socket's own addresses
            connection.sourceAddress = Arrays.copyOf(header.sourceAddress(), header.addressBytes());
            connection.sourcePort = header.sourcePort();
        }
        connection.sourcePending = false;
        final CloseReason refused = steps.accessGate().admit(connection, nowNs);
        if (refused != null)
        {
            return close(refused);
        }
        connection.accessAdmitted = true;
        return startHello(connection, nowNs);
    }

    private Outcome startHello(final Connection connection, final long nowNs)
    {
        if (routing.router == null)
        {
            step = END;
            connection.preambleTimed = false;
            return Outcome.DONE;
        }
        if (hello == null)
        {
            hello = new ClientHelloPeek(routing.peekMaxBytes); // once per chain; chains are reused
        }
        hello.reset(routing.peekMaxBytes);
        step = HELLO;
        deadline(connection, nowNs, routing.peekTimeoutNs);
        return Outcome.NEED_MORE;
    }

    private Outcome consumeHello(final Connection connection, final ByteBuffer bytes)
    {
        switch (hello.peek(bytes))
        {
            case NEED_MORE:
                return Outcome.NEED_MORE;
            case DONE:
                final Integer pool = routing.router.route(hello);
                if (pool == null)
                {
                    return close(CloseReason.NO_ROUTE);
                }
                return routeTo(connection, pool);
            case NOT_TLS:
                return fallback(connection, CloseReason.TLS_NOT_TLS);
            case MALFORMED:
                return fallback(connection, CloseReason.TLS_MALFORMED);
            case TOO_LARGE:
            default:
                if (bytes.capacity() - bytes.position() < routing.peekMaxBytes)
                {
                    hello.reset(routing.peekMaxBytes); // it judged by the buffer, not by the limit: look again in a larger one
                    return Outcome.GROW;
                }
                return fallback(connection, CloseReason.TLS_TOO_LARGE);
        }
    }

    private Outcome routeTo(final Connection connection, final int pool)
    {
        step = END;
        connection.poolIndex = pool;
        connection.preambleTimed = false;
        routedPool = pool;
        return Outcome.DONE;
    }

    /** Not routable by name: the default pool when there is one, else close for this reason. */
    private Outcome fallback(final Connection connection, final CloseReason reason)
    {
        if (routing.sniDefaultPool >= 0)
        {
            return routeTo(connection, routing.sniDefaultPool);
        }
        return close(reason);
    }

    private Outcome close(final CloseReason reason)
    {
        step = END;
        closeReason = reason;
        return Outcome.CLOSE;
    }

    private static void deadline(final Connection connection, final long nowNs, final long timeoutNs)
    {
        connection.preambleTimed = timeoutNs > 0;
        connection.preambleDeadlineNs = nowNs + timeoutNs;
    }

    public Outcome onTimeout(final Connection connection, final long nowNs)
    {
        if (step == HELLO)
        {
            return fallback(connection, CloseReason.TLS_TIMEOUT);
        }
        return close(CloseReason.PROXY_PROTOCOL_ERROR);
    }

    public Outcome onBufferFull(final Connection connection)
    {
        if (step == HELLO)
        {
            return fallback(connection, CloseReason.TLS_TOO_LARGE);
        }
        return close(CloseReason.PROXY_PROTOCOL_ERROR);
    }

    public CloseReason onEndOfStream(final int bytesHeld)
    {
        // a header cut short is a broken header; a client that sent nothing is a client that left
        return step == HEADER && bytesHeld > 0 ? CloseReason.PROXY_PROTOCOL_ERROR : CloseReason.CLIENT_FIN;
    }

    public int maxBytes()
    {
        return (steps.acceptHeader ? ProxyHeaderParser.MAX_V2_BYTES : 0) +
            (routing == null || routing.router == null ? 0 : routing.peekMaxBytes);
    }

    public CloseReason closeReason()
    {
        return closeReason;
    }

    public ProxyHeader receivedHeader()
    {
        return headerReceived ? header : null;
    }

    public int routedPool()
    {
        return routedPool;
    }

    public void release()
    {
        routing = null;
        steps.recycle(this);
    }
}
