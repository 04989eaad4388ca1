package io.tcpproxy.bench.tls;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens TLS connections back to back on {@code threads} threads for a while: each a full handshake (never a resumed
 * session) with the next server name in turn, one message sent and its echo read and compared, and the server's
 * certificate checked against the one that name must reach.
 */
final class HandshakeClient
{
    private final SSLContext context;
    private final List<String> serverNames;
    private final List<X500Principal> expectedSubjects;
    private final int threads;
    private final byte[] message;
    private final AtomicLong peerHostCounter = new AtomicLong();

    HandshakeClient(final SSLContext context, final List<String> serverNames, final List<X500Principal> expectedSubjects,
        final int threads, final int messageBytes)
    {
        this.context = context;
        this.serverNames = serverNames;
        this.expectedSubjects = expectedSubjects;
        this.threads = threads;
        message = new byte[messageBytes];
        for (int i = 0; i < messageBytes; i++)
        {
            message[i] = (byte)(i * 31 + 7);
        }
    }

    /** What one timed pass did. */
    static final class Pass
    {
        final long completed;
        final long failed;
        final long misrouted;
        final long elapsedNs;
        final String firstError;

        Pass(final long completed, final long failed, final long misrouted, final long elapsedNs, final String firstError)
        {
            this.completed = completed;
            this.failed = failed;
            this.misrouted = misrouted;
            this.elapsedNs = elapsedNs;
            this.firstError = firstError;
        }

        double perSecond()
        {
            return completed * 1e9 / elapsedNs;
        }
    }

    /**
     * @param target     where to connect, one address per server name (the proxies: the same address for all).
     * @param durationNs how long to keep opening connections.
     * @return the counts over the whole pass.
     */
    Pass run(final List<InetSocketAddress> target, final long durationNs) throws InterruptedException
    {
        final AtomicLong completed = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong misrouted = new AtomicLong();
        final String[] firstError = new String[1];
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + durationNs;
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int offset = t;
            final Thread worker = new Thread(() ->
            {
                for (long i = offset; System.nanoTime() - deadlineNs < 0; i++)
                {
                    final int which = (int)(i % serverNames.size());
                    try
                    {
                        if (exchange(target.get(which), serverNames.get(which), expectedSubjects.get(which)))
                        {
                            completed.incrementAndGet();
                        }
                        else
                        {
                            misrouted.incrementAndGet();
                        }
                    }
                    catch (final IOException ex)
                    {
                        failed.incrementAndGet();
                        synchronized (firstError)
                        {
                            if (firstError[0] == null)
                            {
                                firstError[0] = ex.toString();
                            }
                        }
                    }
                }
            }, "handshake-client-" + t);
            workers.add(worker);
            worker.start();
        }
        for (final Thread worker : workers)
        {
            worker.join();
        }
        final long elapsedNs = System.nanoTime() - startNs;
        synchronized (firstError)
        {
            return new Pass(completed.get(), failed.get(), misrouted.get(), elapsedNs, firstError[0]);
        }
    }

    /** @return true when the echo came back whole from the server with the expected certificate. */
    private boolean exchange(final InetSocketAddress address, final String serverName, final X500Principal expected)
        throws IOException
    {
        try (Socket tcp = new Socket())
        {
            tcp.setTcpNoDelay(true);
            tcp.setSoTimeout(30_000);
            tcp.connect(address, 30_000);
            // the JDK resumes sessions by peer host and port: a host never used before means a full handshake
            final String peerHost = "c" + peerHostCounter.incrementAndGet() + ".bench";
            try (SSLSocket tls = (SSLSocket)context.getSocketFactory().createSocket(tcp, peerHost, address.getPort(),
                true))
            {
                final SSLParameters parameters = tls.getSSLParameters();
                parameters.setServerNames(List.of(new SNIHostName(serverName)));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                final X509Certificate certificate = (X509Certificate)tls.getSession().getPeerCertificates()[0];
                final OutputStream out = tls.getOutputStream();
                out.write(message);
                out.flush();
                final byte[] echo = new byte[message.length];
                new DataInputStream(tls.getInputStream()).readFully(echo);
                if (!Arrays.equals(message, echo))
                {
                    throw new IOException("the echo differs from the message sent");
                }
                return expected.equals(certificate.getSubjectX500Principal());
            }
        }
    }
}
