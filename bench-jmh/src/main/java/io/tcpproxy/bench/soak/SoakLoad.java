package io.tcpproxy.bench.soak;

import org.agrona.CloseHelper;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Mixed echo load through the proxy: churn threads open a connection, echo a random number of random-size messages
 * (1 B to 64 KiB, mostly small), check every byte and close; one thread keeps long-lived connections open for the
 * whole run and echoes a small message on each now and then. Counts what the clients sent, received and opened.
 */
final class SoakLoad
{
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final int SO_TIMEOUT_MS = 30_000;

    private final InetSocketAddress proxy;
    private final int churnThreads;
    private final int longLived;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;
    final AtomicLong bytesUp = new AtomicLong();
    final AtomicLong bytesDown = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final AtomicReference<String> failure = new AtomicReference<>();

    SoakLoad(final InetSocketAddress proxy, final int churnThreads, final int longLived)
    {
        this.proxy = proxy;
        this.churnThreads = churnThreads;
        this.longLived = longLived;
    }

    void start()
    {
        for (int i = 0; i < churnThreads; i++)
        {
            final long seed = 7919L * (i + 1);
            threads.add(new Thread(() -> churn(new SplittableRandom(seed)), "soak-churn-" + i));
        }
        threads.add(new Thread(this::longLived, "soak-long-lived"));
        threads.forEach(thread ->
        {
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * Stop: every thread finishes its connection (the long-lived ones are closed) and ends.
     */
    void stop() throws InterruptedException
    {
        stopping = true;
        for (final Thread thread : threads)
        {
            thread.join(SO_TIMEOUT_MS * 2L);
        }
    }

    private void churn(final SplittableRandom random)
    {
        while (!stopping && failure.get() == null)
        {
            try (Socket socket = open())
            {
                final int messages = 1 + random.nextInt(20);
                for (int m = 0; m < messages && !stopping; m++)
                {
                    echo(socket, random, messageSize(random));
                }
            }
            catch (final IOException ex)
            {
                failure.compareAndSet(null, "a churn client failed: " + ex);
            }
        }
    }

    private void longLived()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final List<Socket> sockets = new ArrayList<>();
        try
        {
            for (int i = 0; i < longLived; i++)
            {
                sockets.add(open());
            }
            while (!stopping && failure.get() == null)
            {
                for (final Socket socket : sockets)
                {
                    echo(socket, random, 1 + random.nextInt(512));
                }
                Thread.sleep(200);
            }
        }
        catch (final IOException ex)
        {
            failure.compareAndSet(null, "a long-lived client failed: " + ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            for (final Socket socket : sockets)
            {
                CloseHelper.quietClose(socket);
            }
        }
    }

    private Socket open() throws IOException
    {
        final Socket socket = new Socket();
        try
        {
            socket.connect(proxy, SO_TIMEOUT_MS);
            socket.setSoTimeout(SO_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
        }
        catch (final IOException ex)
        {
            socket.close();
            throw ex;
        }
        connections.incrementAndGet();
        return socket;
    }

    private void echo(final Socket socket, final SplittableRandom random, final int size) throws IOException
    {
        final byte[] sent = new byte[size];
        for (int i = 0; i < size; i++)
        {
            sent[i] = (byte)random.nextInt(256);
        }
        final OutputStream out = socket.getOutputStream();
        out.write(sent);
        out.flush();
        bytesUp.addAndGet(size);
        final InputStream in = socket.getInputStream();
        final byte[] received = new byte[size];
        int read = 0;
        while (read < size)
        {
            final int n = in.read(received, read, size - read);
            if (n < 0)
            {
                throw new EOFException("the proxy closed after " + read + " of " + size + " echoed bytes");
            }
            read += n;
            bytesDown.addAndGet(n);
        }
        for (int i = 0; i < size; i++)
        {
            if (received[i] != sent[i])
            {
                throw new IOException("echoed byte " + i + " of " + size + " differs from the one sent");
            }
        }
    }

    /** Mostly small messages, some up to 64 KiB. */
    private static int messageSize(final SplittableRandom random)
    {
        return random.nextInt(10) < 7 ? 1 + random.nextInt(1024) : 1 + random.nextInt(MAX_MESSAGE_BYTES);
    }
}
