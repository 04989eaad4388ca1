package io.tcpproxy.http;

import io.tcpproxy.engine.Threads;
import io.tcpproxy.metrics.MetricsEndpoint;
import io.tcpproxy.metrics.MetricsSnapshot;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metrics HTTP/1.1 responder's connection layer: one thread, one selector, non-blocking sockets and direct
 * buffers. It accepts, reads request heads ({@link RequestParser}), dispatches them through the {@link Routes}
 * table to one {@link RouteHandler} per path, sends what the {@link ResponseWriter} built, and feeds
 * {@link EventStream} subscribers. Every client is bounded in head size, time and count; at the connection cap the
 * connection that made progress least recently is shed, never one that has not yet sent its request while another
 * can go, so a flood of slow clients cannot lock out a health check; nothing a client sends escapes its own
 * connection.
 */
final class HttpMetricsEndpoint implements MetricsEndpoint, Runnable, ResponseWriter.Sender, EventStream.Publisher
{
    static final String THREAD_NAME = "tcp-proxy-metrics-http";

    private static final int ACCEPTS_PER_WAKEUP = 64;
    private static final int INITIAL_RESPONSE_BYTES = 16 * 1024;
    private static final int MAX_RETAINED_RESPONSE_BYTES = 1024 * 1024;
    private static final int MAX_LINGER_DISCARD_BYTES = 64 * 1024;
    private static final long NO_DEADLINE_NS = TimeUnit.HOURS.toNanos(1);

    private static final byte[] METHOD_NOT_ALLOWED = ResponseWriter.ascii("method not allowed\n");
    private static final byte[] BAD_REQUEST = ResponseWriter.ascii("bad request\n");
    private static final byte[] BODY_NOT_ACCEPTED =
        ResponseWriter.ascii("bad request: request bodies are not accepted\n");
    private static final byte[] HEAD_TOO_LARGE = ResponseWriter.ascii("request header fields too large\n");
    private static final byte[] TOO_MANY_CONNECTIONS = ResponseWriter.ascii(
        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\n" +
        "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n");

    private final HttpLimits limits;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final SelectionKey acceptKey;
    private final InetSocketAddress localAddress;
    private final Thread thread;
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final RequestParser parser = new RequestParser();
    private final ResponderCounters counters = new ResponderCounters();
    private final ResponseWriter response = new ResponseWriter(counters, this);
    private final EventStream events;
    private final Routes routes;
    private final byte[] notFound;
    private final HttpConnection[] connections;
    private final HttpConnection[] freeConnections;
    private final ByteBuffer tooManyConnections;

    private volatile int connectionCount;
    private int freeCount;
    private long nextDeadlineNs;
    private long nextEventNs;
    private long acceptResumeNs;
    private boolean acceptPaused;

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
        routes = defaultRoutes(snapshots, counters);
        moreRoutes.accept(routes);
        notFound = ResponseWriter.ascii("not found: try " + routes.describe() + " or /metrics?format=json\n");
        connections = new HttpConnection[limits.maxConnections()];
        freeConnections = new HttpConnection[limits.maxConnections()];
        tooManyConnections = ByteBuffer.allocateDirect(TOO_MANY_CONNECTIONS.length);
        tooManyConnections.put(TOO_MANY_CONNECTIONS).flip();

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
            closeQuietly(server);
            closeQuietly(selector);
            throw ex;
        }
        serverChannel = server;
        nextDeadlineNs = System.nanoTime() + NO_DEADLINE_NS;
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
        return connectionCount;
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
            for (int i = connectionCount - 1; i >= 0; i--)
            {
                closeConnection(connections[i]);
            }
            closeQuietly(serverChannel);
            try
            {
                selector.selectNow();
            }
            catch (final IOException | ClosedSelectorException ignore)
            {
            }
            closeQuietly(selector);
        }
    }

    private void doWork() throws IOException
    {
        long nowNs = System.nanoTime();
        long wakeNs = nextDeadlineNs;
        if (acceptPaused && acceptResumeNs - wakeNs < 0)
        {
            wakeNs = acceptResumeNs;
        }
        if (events.subscriberCount() > 0 && nextEventNs - wakeNs < 0)
        {
            wakeNs = nextEventNs;
        }
        final long timeoutMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(wakeNs - nowNs + 999_999));
        selector.select(readyHandler, timeoutMs);

        nowNs = System.nanoTime();
        if (nowNs - nextDeadlineNs >= 0)
        {
            expireDeadlines(nowNs);
        }
        if (acceptPaused && nowNs - acceptResumeNs >= 0)
        {
            acceptPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        if (nowNs - nextEventNs >= 0)
        {
            nextEventNs = nowNs + limits.eventIntervalNs();
            try
            {
                events.tick(this);
            }
            catch (final RuntimeException ex)
            {
                counters.errors++;
            }
        }
    }

    private void expireDeadlines(final long nowNs)
    {
        long next = nowNs + NO_DEADLINE_NS;
        for (int i = connectionCount - 1; i >= 0; i--)
        {
            final HttpConnection connection = connections[i];
            if (nowNs - connection.deadlineNs >= 0)
            {
                counters.timedOutConnections++;
                closeConnection(connection);
            }
            else if (connection.deadlineNs - next < 0)
            {
                next = connection.deadlineNs;
            }
        }
        nextDeadlineNs = next;
    }

    private void onReady(final SelectionKey key)
    {
        if (key == acceptKey)
        {
            onAcceptable();
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
                closeConnection(connection);
                return;
            }
            if (key.isWritable())
            {
                onWritable(connection);
            }
            if (null != connection.channel && key.isValid() && key.isReadable())
            {
                onReadable(connection);
            }
        }
        catch (final Exception ex)
        {
            counters.errors++;
            closeConnection(connection);
        }
    }

    private void onAcceptable()
    {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = serverChannel.accept();
            }
            catch (final IOException ex)
            {
                // Typically EMFILE: the connection stays in the backlog and OP_ACCEPT would fire forever.
                counters.acceptPauses++;
                acceptPaused = true;
                acceptResumeNs = System.nanoTime() + limits.acceptPauseNs();
                acceptKey.interestOps(0);
                return;
            }
            if (null == channel)
            {
                return;
            }

            if (connectionCount < connections.length || shedLeastRecentlyActive())
            {
                final HttpConnection connection = register(channel);
                if (null != connection)
                {
                    readAccepted(connection);
                }
            }
            else
            {
                refuse(channel);
            }
        }
    }

    /**
     * A client usually sends its request right after connecting: answer it now if it is already here, before more
     * accepts can push this connection towards the cap.
     */
    private void readAccepted(final HttpConnection connection)
    {
        try
        {
            onReadable(connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors++;
            closeConnection(connection);
        }
    }

    /**
     * At the cap, close the connection that made progress least recently, preferring one that was heard from and is
     * waiting for a request (slow or idle), then an event stream, and only as a last resort one that has not sent a
     * byte yet: a health check accepted a moment ago may simply not have had its turn to send. A response being
     * written is never cut.
     *
     * @return whether a connection was closed.
     */
    private boolean shedLeastRecentlyActive()
    {
        HttpConnection victim = null;
        int victimRank = Integer.MAX_VALUE;
        for (int i = 0; i < connectionCount; i++)
        {
            final HttpConnection candidate = connections[i];
            if (candidate.writing && !candidate.streaming)
            {
                continue;
            }
            final int rank = shedRank(candidate);
            if (rank < victimRank || rank == victimRank && candidate.progressNs - victim.progressNs < 0)
            {
                victim = candidate;
                victimRank = rank;
            }
        }
        if (null == victim)
        {
            return false;
        }
        counters.connectionsShed++;
        closeConnection(victim);
        return true;
    }

    /**
     * Lower goes first: heard from and waiting for a request, then an event stream, then not heard from yet.
     */
    private static int shedRank(final HttpConnection connection)
    {
        if (!connection.heardFrom)
        {
            return 2;
        }
        return connection.streaming ? 1 : 0;
    }

    private void refuse(final SocketChannel channel)
    {
        counters.refusedConnections++;
        try
        {
            channel.configureBlocking(false);
            tooManyConnections.rewind();
            channel.write(tooManyConnections);
        }
        catch (final IOException ignore)
        {
        }
        finally
        {
            closeQuietly(channel);
        }
    }

    /**
     * @return the registered connection, or null when the channel could not be registered (it is closed).
     */
    private HttpConnection register(final SocketChannel channel)
    {
        final HttpConnection connection = freeCount > 0 ?
            freeConnections[--freeCount] :
            new HttpConnection(limits.maxHeadBytes(), INITIAL_RESPONSE_BYTES);
        connection.reset();
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
        }
        catch (final IOException | RuntimeException ex)
        {
            counters.errors++;
            closeQuietly(channel);
            freeConnections[freeCount++] = connection;
            return null;
        }
        final long nowNs = System.nanoTime();
        connection.channel = channel;
        connection.interestOps = SelectionKey.OP_READ;
        connection.index = connectionCount;
        connection.progressNs = nowNs;
        connections[connectionCount] = connection;
        connectionCount = connectionCount + 1;
        counters.connections = connectionCount;
        arm(connection, nowNs + limits.headTimeoutNs());
        return connection;
    }

    private void closeConnection(final HttpConnection connection)
    {
        if (null == connection.channel)
        {
            return;
        }
        if (null != connection.key)
        {
            connection.key.cancel();
        }
        closeQuietly(connection.channel);
        events.remove(connection);

        final int index = connection.index;
        final int count = connectionCount - 1;
        final HttpConnection last = connections[count];
        connections[index] = last;
        last.index = index;
        connections[count] = null;
        connectionCount = count;
        counters.connections = count;

        connection.reset();
        freeConnections[freeCount++] = connection;
    }

    private void onReadable(final HttpConnection connection) throws IOException
    {
        final ByteBuffer in = connection.in;
        if (connection.lingering || connection.streaming)
        {
            in.clear();
            final int read = connection.channel.read(in);
            in.clear();
            if (read < 0 ||
                connection.lingering && (connection.discardedBytes += read) > MAX_LINGER_DISCARD_BYTES)
            {
                closeConnection(connection);
            }
            return;
        }

        final int before = in.position();
        final int read = connection.channel.read(in);
        if (0 != read)
        {
            connection.heardFrom = true;
        }
        if (read < 0)
        {
            connection.inputClosed = true;
        }
        else if (0 == before && read > 0)
        {
            arm(connection, System.nanoTime() + limits.headTimeoutNs());
        }
        process(connection);
    }

    private void onWritable(final HttpConnection connection) throws IOException
    {
        if (connection.channel.write(connection.out) > 0)
        {
            arm(connection, System.nanoTime() + limits.writeTimeoutNs());
        }
        if (!connection.out.hasRemaining())
        {
            onResponseWritten(connection);
            if (null != connection.channel && !connection.lingering)
            {
                process(connection);
            }
        }
    }

    private void process(final HttpConnection connection)
    {
        final ByteBuffer in = connection.in;
        while (!connection.writing && !connection.closeAfterWrite && !connection.streaming &&
            null != connection.channel)
        {
            final int length = in.position();
            if (0 == length)
            {
                break;
            }

            final int result = parser.parse(in, length, connection.scannedTo);
            if (RequestParser.NEED_MORE == result)
            {
                connection.scannedTo = parser.scannedTo;
                if (length == in.capacity())
                {
                    response.begin(connection, false, false).status(431).text(HEAD_TOO_LARGE);
                }
                break;
            }

            connection.scannedTo = 0;
            if (RequestParser.BAD_REQUEST == result)
            {
                response.begin(connection, false, false).status(400).text(BAD_REQUEST);
                break;
            }

            final int headLength = parser.headLength;
            connection.progressNs = System.nanoTime();
            answer(connection);
            if (null == connection.channel || connection.lingering)
            {
                return;
            }
            // The handler read the path and query in place, so the head is consumed only after it answered.
            consume(in, headLength);
            if (!connection.writing && !connection.streaming)
            {
                final long timeoutNs = in.position() > 0 ? limits.headTimeoutNs() : limits.idleTimeoutNs();
                arm(connection, System.nanoTime() + timeoutNs);
            }
        }

        if (null == connection.channel || connection.lingering)
        {
            return;
        }
        if (connection.writing)
        {
            interest(connection, SelectionKey.OP_WRITE);
        }
        else if (connection.inputClosed)
        {
            closeConnection(connection);
        }
        else
        {
            interest(connection, SelectionKey.OP_READ);
        }
    }

    private void answer(final HttpConnection connection)
    {
        final RequestParser request = parser;
        final boolean headOnly = RequestParser.METHOD_HEAD == request.method;
        final RouteHandler handler = routes.find(request);
        final boolean postAccepted = null != handler && handler.acceptsPost();
        if (RequestParser.METHOD_OTHER == request.method ||
            RequestParser.METHOD_POST == request.method && !postAccepted)
        {
            final ResponseWriter writer = response.begin(connection, false, request.keepAlive && !request.hasBody);
            writer.status(405).header("Allow", postAccepted ? "GET, HEAD, POST" : "GET, HEAD");
            writer.text(METHOD_NOT_ALLOWED);
            return;
        }
        if (request.hasBody)
        {
            response.begin(connection, false, false).status(400).text(BODY_NOT_ACCEPTED);
            return;
        }
        final ResponseWriter writer = response.begin(connection, headOnly, request.keepAlive);
        if (null == handler)
        {
            writer.status(404).text(notFound);
            return;
        }
        try
        {
            handler.handle(request, writer);
        }
        catch (final RuntimeException ex)
        {
            counters.errors++;
            if (!connection.writing && null != connection.channel)
            {
                response.begin(connection, headOnly, false).status(500).text(MetricsHandler.INTERNAL_ERROR);
            }
        }
    }

    /**
     * Sends what the response writer put into the connection's output buffer.
     */
    public void send(final HttpConnection connection)
    {
        final long nowNs = System.nanoTime();
        arm(connection, nowNs + limits.writeTimeoutNs());
        try
        {
            connection.channel.write(connection.out);
        }
        catch (final IOException ex)
        {
            closeConnection(connection);
            return;
        }
        if (connection.streaming && connection.streamIndex < 0)
        {
            events.add(connection);
        }
        if (connection.out.hasRemaining())
        {
            counters.deferredWrites++;
            interest(connection, SelectionKey.OP_WRITE);
        }
        else
        {
            onResponseWritten(connection);
        }
    }

    /**
     * Append one event frame to a stream subscriber's output, or drop the subscriber when the frame would take its
     * unsent backlog beyond the bound: a client that does not read is never buffered without limit.
     */
    public void publish(final HttpConnection subscriber, final byte[] frame, final int length)
    {
        ByteBuffer out = subscriber.out;
        final int pending = subscriber.writing ? out.remaining() : 0;
        if (pending + length > limits.maxEventBacklogBytes())
        {
            closeConnection(subscriber);
            counters.eventClientsDropped++;
            return;
        }
        if (subscriber.writing)
        {
            out.compact();
        }
        else
        {
            out.clear();
        }
        if (out.remaining() < length)
        {
            final int capacity = Math.max(out.position() + length, out.capacity() * 2);
            final ByteBuffer larger = ByteBuffer.allocateDirect(capacity);
            out.flip();
            larger.put(out);
            out = larger;
            subscriber.out = larger;
        }
        out.put(frame, 0, length).flip();
        final boolean wasWriting = subscriber.writing;
        subscriber.writing = true;
        if (wasWriting)
        {
            return; // OP_WRITE is set and the write deadline runs from the last progress
        }
        send(subscriber);
    }

    private void onResponseWritten(final HttpConnection connection)
    {
        connection.writing = false;
        if (connection.out.capacity() > MAX_RETAINED_RESPONSE_BYTES)
        {
            // Pooled connections would otherwise each pin the direct memory of the largest response they ever sent.
            connection.out = ByteBuffer.allocateDirect(INITIAL_RESPONSE_BYTES);
        }
        connection.out.clear();
        if (connection.closeAfterWrite)
        {
            startLingering(connection);
        }
        else if (connection.streaming)
        {
            // An event stream waits for the next event; only its writes are timed.
            connection.deadlineNs = System.nanoTime() + NO_DEADLINE_NS;
            interest(connection, SelectionKey.OP_READ);
        }
        else
        {
            final long timeoutNs = connection.in.position() > 0 ? limits.headTimeoutNs() : limits.idleTimeoutNs();
            arm(connection, System.nanoTime() + timeoutNs);
        }
    }

    /**
     * Send FIN and read until the client closes, so unread request bytes do not turn the close into a reset that
     * could destroy the response before the client reads it.
     */
    private void startLingering(final HttpConnection connection)
    {
        if (connection.inputClosed)
        {
            closeConnection(connection);
            return;
        }
        try
        {
            connection.channel.shutdownOutput();
        }
        catch (final IOException ex)
        {
            closeConnection(connection);
            return;
        }
        connection.lingering = true;
        connection.in.clear();
        arm(connection, System.nanoTime() + limits.lingerTimeoutNs());
        interest(connection, SelectionKey.OP_READ);
    }

    private void interest(final HttpConnection connection, final int ops)
    {
        if (connection.interestOps != ops)
        {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    private void arm(final HttpConnection connection, final long deadlineNs)
    {
        connection.deadlineNs = deadlineNs;
        if (deadlineNs - nextDeadlineNs < 0)
        {
            nextDeadlineNs = deadlineNs;
        }
    }

    private static void consume(final ByteBuffer in, final int bytes)
    {
        final int remaining = in.position() - bytes;
        if (remaining > 0)
        {
            in.put(0, in, bytes, remaining);
        }
        in.position(remaining);
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (null != closeable)
        {
            try
            {
                closeable.close();
            }
            catch (final Exception ignore)
            {
            }
        }
    }
}
