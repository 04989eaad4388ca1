package io.tcpproxy.http;

import io.tcpproxy.engine.Threads;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsSnapshot;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metrics HTTP/1.1 responder's connection layer: one thread, one selector, non-blocking sockets and direct
 * buffers. It owns the thread and the duty cycle and sequences its parts: the {@link HttpAcceptor} (accept, shed,
 * refuse, EMFILE pause), the {@link HttpConnections} table (deadlines, interest ops, close), the
 * {@link HttpExchanges} (read request heads, answer them through the {@link Routes} table, write responses) and the
 * {@link EventStream} ticks. Every client is bounded in head size, time and count; at the connection cap the
 * connection that made progress least recently is shed, never one that has not yet sent its request while another
 * can go, so a flood of slow clients cannot lock out a health check; nothing a client sends escapes its own
 * connection.
 */
final class HttpMetricsEndpoint implements MetricsEndpoint, Runnable
{
    static final String THREAD_NAME = "tcp-proxy-metrics-http";

    private final HttpLimits limits;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final SelectionKey acceptKey;
    private final InetSocketAddress localAddress;
    private final Thread thread;
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final ResponderCounters counters = new ResponderCounters();
    private final EventStream events;
    private final HttpConnections connections;
    private final HttpExchanges exchanges;
    private final HttpAcceptor acceptor;

    private long nextEventNs;

    private volatile boolean running = true;

    HttpMetricsEndpoint(
        final InetSocketAddress bindAddress, final Supplier<MetricsSnapshot> snapshots, final HttpLimits limits)
        throws IOException
    {
        this(bindAddress, snapshots, limits, routes -> {});
    }

    /**
     * @param moreRoutes adds routes after the default ones (e.g. {@code /admin/...}); called once, here.
     */
    HttpMetricsEndpoint(
        final InetSocketAddress bindAddress,
        final Supplier<MetricsSnapshot> snapshots,
        final HttpLimits limits,
        final Consumer<Routes> moreRoutes)
        throws IOException
    {
        this.limits = limits;
        events = new EventStream(snapshots, counters);
        final Routes routes = defaultRoutes(snapshots, counters);
        moreRoutes.accept(routes);
        final RouteDispatcher dispatcher = new RouteDispatcher(routes, counters);

        selector = Selector.open();
        ServerSocketChannel server = null;
        try
        {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
            server.bind(bindAddress, 128);
            server.configureBlocking(false);
            acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
            localAddress = (InetSocketAddress)server.getLocalAddress();
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietClose(server);
            CloseHelper.quietClose(selector);
            throw ex;
        }
        serverChannel = server;
        connections = new HttpConnections(selector, limits, counters, events);
        exchanges = new HttpExchanges(limits, connections, counters, events, dispatcher);
        acceptor = new HttpAcceptor(serverChannel, acceptKey, limits, connections, exchanges, counters);
        nextEventNs = System.nanoTime() + limits.eventIntervalNs();

        thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The route table; one line per endpoint.
     */
    private static Routes defaultRoutes(final Supplier<MetricsSnapshot> snapshots, final ResponderCounters counters)
    {
        return new Routes()
            .add("/metrics", new MetricsHandler(snapshots, counters))
            .add("/healthz", new HealthHandler(snapshots, counters))
            .add("/", new DashboardHandler())
            .add("/events", new EventsHandler());
    }

    /**
     * {@inheritDoc}
     */
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    /**
     * Stop the responder thread, close every connection, the listener and the selector, and wait for the thread.
     */
    public void close()
    {
        running = false;
        selector.wakeup();
        if (Thread.currentThread() != thread)
        {
            Threads.joinUninterruptibly(thread);
        }
    }

    ResponderCounters counters()
    {
        return counters;
    }

    int connectionCount()
    {
        return connections.count();
    }

    long errorCount()
    {
        return counters.errors;
    }

    long refusedConnections()
    {
        return counters.refusedConnections;
    }

    long shedConnections()
    {
        return counters.connectionsShed;
    }

    long timedOutConnections()
    {
        return counters.timedOutConnections;
    }

    long deferredWrites()
    {
        return counters.deferredWrites;
    }

    long acceptPauses()
    {
        return counters.acceptPauses;
    }

    /**
     * The responder loop; runs on its own thread until {@link #close()}.
     */
    public void run()
    {
        try
        {
            while (running)
            {
                try
                {
                    doWork();
                }
                catch (final ClosedSelectorException ex)
                {
                    counters.errors++;
                    break;
                }
                catch (final Exception ex)
                {
                    counters.errors++;
                }
            }
        }
        finally
        {
            connections.closeAll();
            CloseHelper.quietClose(serverChannel);
            try
            {
                selector.selectNow();
            }
            catch (final IOException | ClosedSelectorException ignore)
            {
            }
            CloseHelper.quietClose(selector);
        }
    }

    private void doWork() throws IOException
    {
        long nowNs = System.nanoTime();
        long wakeNs = acceptor.wakeNs(connections.nextDeadlineNs());
        if (events.subscriberCount() > 0 && nextEventNs - wakeNs < 0)
        {
            wakeNs = nextEventNs;
        }
        final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeNs - nowNs + 999_999));
        selector.select(readyHandler, timeoutMs);

        nowNs = System.nanoTime();
        if (nowNs - connections.nextDeadlineNs() >= 0)
        {
            connections.expireDeadlines(nowNs);
        }
        acceptor.resumeIfDue(nowNs);
        if (nowNs - nextEventNs >= 0)
        {
            nextEventNs = nowNs + limits.eventIntervalNs();
            try
            {
                events.tick(exchanges);
            }
            catch (final RuntimeException ex)
            {
                counters.errors++;
            }
        }
    }

    private void onReady(final SelectionKey key)
    {
        if (key == acceptKey)
        {
            acceptor.onAcceptable();
            return;
        }

        final HttpConnection connection = (HttpConnection)key.attachment();
        if (connection.key != key)
        {
            // Cancelled earlier in this select pass; the pooled connection may already serve another socket.
            return;
        }
        try
        {
            if (!key.isValid())
            {
                connections.close(connection);
                return;
            }
            if (key.isWritable())
            {
                exchanges.onWritable(connection);
            }
            if (null != connection.channel && key.isValid() && key.isReadable())
            {
                exchanges.onReadable(connection);
            }
        }
        catch (final Exception ex)
        {
            counters.errors++;
            connections.close(connection);
        }
    }
}
