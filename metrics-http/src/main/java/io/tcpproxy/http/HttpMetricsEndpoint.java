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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The metrics HTTP/1.1 responder: one thread, one selector, non-blocking sockets and direct buffers. Serves
 * {@code /metrics} (Prometheus text, or JSON with {@code ?format=json}) and {@code /healthz}. Every client is
 * bounded in head size, time and count, and nothing a client sends escapes its own connection.
 */
final class HttpMetricsEndpoint implements MetricsEndpoint, Runnable
{
    static final String THREAD_NAME = "tcp-proxy-metrics-http";

    private static final int ACCEPTS_PER_WAKEUP = 64;
    private static final int INITIAL_RESPONSE_BYTES = 16 * 1024;
    private static final int MAX_RETAINED_RESPONSE_BYTES = 1024 * 1024;
    private static final int MAX_LINGER_DISCARD_BYTES = 64 * 1024;
    private static final long NO_DEADLINE_NS = TimeUnit.HOURS.toNanos(1);
    private static final DateTimeFormatter HTTP_DATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    private static final byte[] OK = ascii("ok\n");
    private static final byte[] DRAINING = ascii("draining\n");
    private static final byte[] NOT_READY = ascii("no metrics snapshot yet\n");
    private static final byte[] NOT_FOUND = ascii("not found: try /metrics, /metrics?format=json or /healthz\n");
    private static final byte[] METHOD_NOT_ALLOWED = ascii("method not allowed\n");
    private static final byte[] BAD_REQUEST = ascii("bad request\n");
    private static final byte[] BODY_NOT_ACCEPTED = ascii("bad request: request bodies are not accepted\n");
    private static final byte[] HEAD_TOO_LARGE = ascii("request header fields too large\n");
    private static final byte[] INTERNAL_ERROR = ascii("internal error\n");
    private static final byte[] TOO_MANY_CONNECTIONS = ascii(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 21\r\n" +
        "Connection: close\r\n\r\ntoo many connections\n");

    private final Supplier<MetricsSnapshot> snapshots;
    private final HttpLimits limits;
    private final Selector selector;
    private final ServerSocketChannel serverChannel;
    private final SelectionKey acceptKey;
    private final InetSocketAddress localAddress;
    private final Thread thread;
    private final Consumer<SelectionKey> readyHandler = this::onReady;
    private final RequestParser parser = new RequestParser();
    private final HttpConnection[] connections;
    private final HttpConnection[] freeConnections;
    private final ByteBuffer tooManyConnections;
    private final StringBuilder text = new StringBuilder(16 * 1024);
    private final RenderedBody prometheusBody = new RenderedBody();
    private final RenderedBody jsonBody = new RenderedBody();

    private volatile int connectionCount;
    private int freeCount;
    private long nextDeadlineNs;
    private long acceptResumeNs;
    private boolean acceptPaused;
    private long dateSecond = Long.MIN_VALUE;
    private String date = "";

    private volatile boolean running = true;
    private volatile long errorCount;
    private volatile long refusedConnections;
    private volatile long timedOutConnections;
    private volatile long acceptPauses;
    private volatile long deferredWrites;

    HttpMetricsEndpoint(
        final InetSocketAddress bindAddress, final Supplier<MetricsSnapshot> snapshots, final HttpLimits limits)
        throws IOException
    {
        this.snapshots = snapshots;
        this.limits = limits;
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

        thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
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

    int connectionCount()
    {
        return connectionCount;
    }

    long errorCount()
    {
        return errorCount;
    }

    long refusedConnections()
    {
        return refusedConnections;
    }

    long timedOutConnections()
    {
        return timedOutConnections;
    }

    long deferredWrites()
    {
        return deferredWrites;
    }

    long acceptPauses()
    {
        return acceptPauses;
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
                    errorCount++;
                    break;
                }
                catch (final Exception ex)
                {
                    errorCount++;
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
    }

    private void expireDeadlines(final long nowNs)
    {
        long next = nowNs + NO_DEADLINE_NS;
        for (int i = connectionCount - 1; i >= 0; i--)
        {
            final HttpConnection connection = connections[i];
            if (nowNs - connection.deadlineNs >= 0)
            {
                timedOutConnections++;
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
            errorCount++;
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
                acceptPauses++;
                acceptPaused = true;
                acceptResumeNs = System.nanoTime() + limits.acceptPauseNs();
                acceptKey.interestOps(0);
                return;
            }
            if (null == channel)
            {
                return;
            }

            if (connectionCount == connections.length)
            {
                refuse(channel);
            }
            else
            {
                register(channel);
            }
        }
    }

    private void refuse(final SocketChannel channel)
    {
        refusedConnections++;
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

    private void register(final SocketChannel channel)
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
            errorCount++;
            closeQuietly(channel);
            freeConnections[freeCount++] = connection;
            return;
        }
        connection.channel = channel;
        connection.interestOps = SelectionKey.OP_READ;
        connection.index = connectionCount;
        connections[connectionCount++] = connection;
        arm(connection, System.nanoTime() + limits.headTimeoutNs());
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

        final int index = connection.index;
        final HttpConnection last = connections[--connectionCount];
        connections[index] = last;
        last.index = index;
        connections[connectionCount] = null;

        connection.reset();
        freeConnections[freeCount++] = connection;
    }

    private void onReadable(final HttpConnection connection) throws IOException
    {
        final ByteBuffer in = connection.in;
        if (connection.lingering)
        {
            in.clear();
            final int read = connection.channel.read(in);
            in.clear();
            if (read < 0 || (connection.discardedBytes += read) > MAX_LINGER_DISCARD_BYTES)
            {
                closeConnection(connection);
            }
            return;
        }

        final int before = in.position();
        final int read = connection.channel.read(in);
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

    private void process(final HttpConnection connection) throws IOException
    {
        final ByteBuffer in = connection.in;
        while (!connection.writing && !connection.closeAfterWrite && null != connection.channel)
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
                    respond(connection, 431, "Request Header Fields Too Large", TEXT_PLAIN, HEAD_TOO_LARGE,
                        HEAD_TOO_LARGE.length, false, false, false);
                }
                break;
            }

            connection.scannedTo = 0;
            if (RequestParser.BAD_REQUEST == result)
            {
                respond(connection, 400, "Bad Request", TEXT_PLAIN, BAD_REQUEST, BAD_REQUEST.length, false, false,
                    false);
                break;
            }

            consume(in, parser.headLength);
            answer(connection);
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

    private void answer(final HttpConnection connection) throws IOException
    {
        final RequestParser request = parser;
        final boolean headOnly = RequestParser.METHOD_HEAD == request.method;
        if (RequestParser.METHOD_OTHER == request.method)
        {
            respond(connection, 405, "Method Not Allowed", TEXT_PLAIN, METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED.length,
                false, request.keepAlive && !request.hasBody, true);
            return;
        }
        if (request.hasBody)
        {
            respond(connection, 400, "Bad Request", TEXT_PLAIN, BODY_NOT_ACCEPTED, BODY_NOT_ACCEPTED.length, false,
                false, false);
            return;
        }
        if (RequestParser.ROUTE_NOT_FOUND == request.route)
        {
            respond(connection, 404, "Not Found", TEXT_PLAIN, NOT_FOUND, NOT_FOUND.length, headOnly,
                request.keepAlive, false);
            return;
        }

        final MetricsSnapshot snapshot;
        try
        {
            snapshot = snapshots.get();
        }
        catch (final RuntimeException ex)
        {
            errorCount++;
            respond(connection, 500, "Internal Server Error", TEXT_PLAIN, INTERNAL_ERROR, INTERNAL_ERROR.length,
                headOnly, false, false);
            return;
        }

        if (null == snapshot)
        {
            respond(connection, 503, "Service Unavailable", TEXT_PLAIN, NOT_READY, NOT_READY.length, headOnly,
                request.keepAlive, false);
        }
        else if (RequestParser.ROUTE_HEALTHZ == request.route)
        {
            if (snapshot.draining())
            {
                respond(connection, 503, "Service Unavailable", TEXT_PLAIN, DRAINING, DRAINING.length, headOnly,
                    request.keepAlive, false);
            }
            else
            {
                respond(connection, 200, "OK", TEXT_PLAIN, OK, OK.length, headOnly, request.keepAlive, false);
            }
        }
        else
        {
            final RenderedBody body = request.json ? jsonBody : prometheusBody;
            try
            {
                render(body, snapshot, request.json);
            }
            catch (final RuntimeException ex)
            {
                errorCount++;
                respond(connection, 500, "Internal Server Error", TEXT_PLAIN, INTERNAL_ERROR, INTERNAL_ERROR.length,
                    headOnly, false, false);
                return;
            }
            respond(connection, 200, "OK", request.json ? JsonFormat.CONTENT_TYPE : PrometheusTextFormat.CONTENT_TYPE,
                body.bytes, body.length, headOnly, request.keepAlive, false);
        }
    }

    private void render(final RenderedBody body, final MetricsSnapshot snapshot, final boolean json)
    {
        if (body.source == snapshot)
        {
            return;
        }
        body.source = null;
        final StringBuilder text = this.text;
        text.setLength(0);
        if (json)
        {
            JsonFormat.render(snapshot, text);
        }
        else
        {
            PrometheusTextFormat.render(snapshot, text);
        }
        final int bytes = Utf8.encodedLength(text);
        if (body.bytes.length < bytes)
        {
            body.bytes = new byte[bytes + (bytes >> 2)];
        }
        body.length = Utf8.encode(text, body.bytes);
        body.source = snapshot;
    }

    private void respond(
        final HttpConnection connection,
        final int status,
        final String reason,
        final String contentType,
        final byte[] body,
        final int bodyLength,
        final boolean headOnly,
        final boolean keepAlive,
        final boolean allowHeader)
    {
        final StringBuilder head = text;
        head.setLength(0);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n")
            .append("Date: ").append(httpDate()).append("\r\n")
            .append("Content-Type: ").append(contentType).append("\r\n")
            .append("Content-Length: ").append(bodyLength).append("\r\n")
            .append("Cache-Control: no-store\r\n");
        if (allowHeader)
        {
            head.append("Allow: GET, HEAD\r\n");
        }
        head.append(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");

        final int bytes = head.length() + (headOnly ? 0 : bodyLength);
        ByteBuffer out = connection.out;
        if (out.capacity() < bytes)
        {
            out = ByteBuffer.allocateDirect(Math.max(bytes, out.capacity() * 2));
            connection.out = out;
        }
        out.clear();
        for (int i = 0, n = head.length(); i < n; i++)
        {
            out.put((byte)head.charAt(i));
        }
        if (!headOnly)
        {
            out.put(body, 0, bodyLength);
        }
        out.flip();

        connection.closeAfterWrite = !keepAlive;
        connection.writing = true;
        arm(connection, System.nanoTime() + limits.writeTimeoutNs());
        try
        {
            connection.channel.write(out);
        }
        catch (final IOException ex)
        {
            closeConnection(connection);
            return;
        }
        if (out.hasRemaining())
        {
            deferredWrites++;
        }
        else
        {
            onResponseWritten(connection);
        }
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

    private String httpDate()
    {
        final long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond)
        {
            dateSecond = second;
            date = HTTP_DATE.format(Instant.ofEpochSecond(second));
        }
        return date;
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

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final class RenderedBody
    {
        MetricsSnapshot source;
        byte[] bytes = new byte[0];
        int length;
    }
}
