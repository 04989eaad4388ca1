package io.tcpproxy.bench.idle;

import io.tcpproxy.config.HostPort;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code idle-check}: open many client connections to an echo endpoint (normally through the proxy), send one small
 * message on each and read its echo, so every connection is established end to end, then hold them all idle until a
 * release file appears (or the hold time ends), so another process can measure what idle connections cost. After the
 * hold every connection exchanges one more message, proving none was dropped, and all are closed.
 * <p>
 * One thread and one selector; connection attempts are bounded ({@code --in-flight}) so the listener's backlog never
 * overflows. The first connection that fails stops the run: a partial set of connections measures nothing.
 * <p>
 * Prints {@value #HOLDING_PREFIX}N ... once all N are established and idle; scripts wait for that line.
 */
public final class IdleCheckCommand
{
    /** Exit code when a connection failed or was dropped. */
    public static final int EXIT_FAILURE = 1;
    /** Start of the line printed when every connection is established and the hold begins. */
    public static final String HOLDING_PREFIX = "idle-check: holding ";

    private static final long SELECT_TIMEOUT_MS = 100;
    private static final long RELEASE_POLL_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int PROGRESS_EVERY = 2_000;

    private final IdleCheckOptions options;
    private final PrintStream out;
    private final Selector selector;
    private final IdleClient[] clients;
    private final ByteBuffer message;
    private final ByteBuffer readBuffer;
    private int opened;
    private int inFlight;
    private int exchanged;
    private int failures;
    private int dropped;
    private boolean holding;
    private String firstFailure;

    private IdleCheckCommand(final IdleCheckOptions options, final PrintStream out, final Selector selector)
    {
        this.options = options;
        this.out = out;
        this.selector = selector;
        this.clients = new IdleClient[options.connections];
        this.message = ByteBuffer.allocateDirect(options.messageBytes);
        for (int i = 0; i < options.messageBytes; i++)
        {
            message.put(i, messageByte(i));
        }
        this.readBuffer = ByteBuffer.allocateDirect(Math.max(4096, options.messageBytes));
    }

    /**
     * @param args {@code idle-check} and its options.
     * @param out  where progress and the summary go.
     * @return 0, or {@link #EXIT_FAILURE} when a connection failed or was dropped.
     * @throws IOException when the selector cannot be opened.
     */
    public static int run(final String[] args, final PrintStream out) throws IOException
    {
        final IdleCheckOptions options = IdleCheckOptions.parse(args);
        try (Selector selector = Selector.open())
        {
            return new IdleCheckCommand(options, out, selector).execute();
        }
    }

    private int execute() throws IOException
    {
        out.printf(Locale.ROOT, "idle-check: opening %d connections to %s (%d connecting at once, %d-byte message)%n",
            options.connections, HostPort.format(options.target), options.inFlight, options.messageBytes);
        try
        {
            final long startNs = System.nanoTime();
            if (!establish(startNs + options.timeoutNs))
            {
                out.println("idle-check: FAILED after " + exchanged + " of " + options.connections +
                    " connections were established: " + firstFailure);
                return EXIT_FAILURE;
            }
            final double establishSecs = (System.nanoTime() - startNs) / 1e9;
            out.printf(Locale.ROOT, "%s%d connections idle (established in %.1f s); release with %s%n",
                HOLDING_PREFIX, options.connections, establishSecs,
                options.releaseFile == null ? "nothing (hold time only)" : "the file " + options.releaseFile);

            final long holdStartNs = System.nanoTime();
            hold(holdStartNs + options.holdNs);
            final double heldSecs = (System.nanoTime() - holdStartNs) / 1e9;

            final int verified = verify(System.nanoTime() + options.timeoutNs);
            out.printf(Locale.ROOT,
                "idle-check: held %d connections for %.1f s; %d dropped during the hold; %d of %d echoed again " +
                "after it%s%n",
                options.connections, heldSecs, dropped, verified, options.connections,
                firstFailure == null ? "" : "; first failure: " + firstFailure);
            return dropped == 0 && verified == options.connections ? 0 : EXIT_FAILURE;
        }
        finally
        {
            closeAll();
        }
    }

    private boolean establish(final long deadlineNs) throws IOException
    {
        int nextProgress = PROGRESS_EVERY;
        while (exchanged < options.connections)
        {
            while (opened < options.connections && inFlight < options.inFlight && failures == 0)
            {
                open();
            }
            if (failures > 0)
            {
                return false;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                firstFailure = "timed out after " + TimeUnit.NANOSECONDS.toSeconds(options.timeoutNs) + " s";
                return false;
            }
            selector.select(this::onReady, SELECT_TIMEOUT_MS);
            if (exchanged >= nextProgress && exchanged < options.connections)
            {
                out.println("idle-check: " + exchanged + "/" + options.connections + " established");
                nextProgress += PROGRESS_EVERY;
            }
        }
        return failures == 0;
    }

    private void open() throws IOException
    {
        final SocketChannel channel;
        try
        {
            channel = SocketChannel.open();
        }
        catch (final IOException ex)
        {
            failures++;
            firstFailure = "cannot open socket " + opened + " in this process: " + ex.getMessage();
            return;
        }
        final IdleClient client = new IdleClient(opened, channel);
        clients[opened++] = client;
        inFlight++;
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            client.key = channel.register(selector, 0, client);
            if (channel.connect(options.target))
            {
                client.startExchange();
                send(client);
            }
            else
            {
                client.key.interestOps(SelectionKey.OP_CONNECT);
            }
        }
        catch (final IOException ex)
        {
            fail(client, "connect: " + ex);
        }
    }

    private void onReady(final SelectionKey key)
    {
        final IdleClient client = (IdleClient)key.attachment();
        if (client.state == IdleClient.FAILED || !key.isValid())
        {
            return;
        }
        try
        {
            if (key.isConnectable())
            {
                if (client.channel.finishConnect())
                {
                    client.startExchange();
                    send(client);
                }
                return;
            }
            if (key.isWritable())
            {
                send(client);
            }
            if (key.isReadable())
            {
                receive(client);
            }
        }
        catch (final IOException ex)
        {
            fail(client, ex.toString());
        }
    }

    private void send(final IdleClient client) throws IOException
    {
        message.limit(options.messageBytes).position(client.sentBytes);
        client.sentBytes += client.channel.write(message);
        client.key.interestOps(client.sentBytes < options.messageBytes ?
            SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void receive(final IdleClient client) throws IOException
    {
        readBuffer.clear();
        final int read = client.channel.read(readBuffer);
        if (client.state == IdleClient.IDLE)
        {
            // Idle connections are watched for reads only to notice the proxy closing or corrupting them.
            dropped++;
            fail(client, "connection " + client.index + (read < 0 ? " closed by the peer" : " received unsent bytes") +
                (holding ? " during the hold" : " while idle"));
            return;
        }
        if (read < 0)
        {
            fail(client, "connection " + client.index + " closed by the peer after " + client.echoedBytes + " of " +
                options.messageBytes + " echoed bytes");
            return;
        }
        if (client.echoedBytes + read > client.sentBytes)
        {
            fail(client, "connection " + client.index + " received more bytes than it sent");
            return;
        }
        for (int i = 0; i < read; i++)
        {
            if (readBuffer.get(i) != messageByte(client.echoedBytes + i))
            {
                fail(client, "connection " + client.index + " received bytes that differ from the ones it sent");
                return;
            }
        }
        client.echoedBytes += read;
        if (client.echoedBytes == options.messageBytes)
        {
            client.state = IdleClient.IDLE;
            client.exchanges++;
            exchanged++;
            inFlight--;
        }
    }

    private void hold(final long endNs) throws IOException
    {
        holding = true;
        long nextPollNs = System.nanoTime();
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (nowNs - endNs >= 0)
            {
                break;
            }
            if (options.releaseFile != null && nowNs - nextPollNs >= 0)
            {
                if (Files.exists(options.releaseFile))
                {
                    break;
                }
                nextPollNs = nowNs + RELEASE_POLL_NS;
            }
            selector.select(this::onReady, Math.max(1, Math.min(SELECT_TIMEOUT_MS,
                TimeUnit.NANOSECONDS.toMillis(endNs - nowNs))));
        }
        holding = false;
    }

    private int verify(final long deadlineNs) throws IOException
    {
        exchanged = 0;
        final int failuresBefore = failures;
        int expected = 0;
        for (int i = 0; i < opened; i++)
        {
            final IdleClient client = clients[i];
            if (client.state == IdleClient.IDLE)
            {
                expected++;
                inFlight++;
                client.startExchange();
                try
                {
                    send(client);
                }
                catch (final IOException ex)
                {
                    fail(client, "send after the hold: " + ex);
                }
            }
        }
        while (exchanged + (failures - failuresBefore) < expected && System.nanoTime() - deadlineNs < 0)
        {
            selector.select(this::onReady, SELECT_TIMEOUT_MS);
        }
        return exchanged;
    }

    private void fail(final IdleClient client, final String reason)
    {
        if (client.state == IdleClient.FAILED)
        {
            return;
        }
        if (client.state != IdleClient.IDLE)
        {
            inFlight--;
        }
        client.state = IdleClient.FAILED;
        failures++;
        if (firstFailure == null)
        {
            firstFailure = reason;
        }
        CloseHelper.quietClose(client.channel);
    }

    private void closeAll() throws IOException
    {
        for (int i = 0; i < opened; i++)
        {
            CloseHelper.quietClose(clients[i].channel);
        }
        selector.selectNow();
    }

    private static byte messageByte(final int index)
    {
        return (byte)('a' + index % 26);
    }
}
