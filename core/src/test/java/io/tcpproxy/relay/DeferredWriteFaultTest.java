package io.tcpproxy.relay;

import io.tcpproxy.CloseReason;
import io.tcpproxy.Proxy;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * A RuntimeException from a relay write closes that one connection (INTERNAL_ERROR) and the worker goes on serving
 * the others — also for a short message, whose write is deferred to the end of the select round (outside the
 * per-event handler). The fault is injected by swapping the connection's upstream sink for a channel whose write
 * throws.
 */
class DeferredWriteFaultTest
{
    @Test
    @Timeout(30)
    void shouldKeepServingOtherConnectionsAfterARuntimeExceptionInARelayWrite() throws Exception
    {
        try (TestUpstream upstream = TestUpstream.echo();
            Proxy proxy = TestProxies.start(TestProxies.configFor(upstream).workers(1));
            Socket victim = Clients.connect(proxy))
        {
            Clients.assertEchoes(victim, "connected");
            injectThrowingUpstreamSink(proxy);
            victim.getOutputStream().write("boom".getBytes(StandardCharsets.UTF_8)); // short: deferred, then throws

            try (Socket other = Clients.connect(proxy))
            {
                other.setSoTimeout(3000);
                assertDoesNotThrow(() -> Clients.assertEchoes(other, "still served"),
                    "a fault on one connection stopped the worker relaying any other");
            }
            ProxyAwait.metrics(proxy, "the faulty connection closed as an internal error",
                (snapshot) -> snapshot.closes(CloseReason.INTERNAL_ERROR) == 1);
        }
    }

    private static void injectThrowingUpstreamSink(final Proxy proxy) throws Exception
    {
        final Object engine = field(proxy, "engine");
        final Method workerAt = engine.getClass().getDeclaredMethod("worker", int.class);
        workerAt.setAccessible(true);
        final Object worker = workerAt.invoke(engine, 0);
        final Object connection = ((Object[])field(field(worker, "table"), "open"))[0];
        final Object up = field(connection, "up");
        final Field sink = up.getClass().getDeclaredField("sink");
        sink.setAccessible(true);
        sink.set(up, new ThrowingChannel());
    }

    private static Object field(final Object target, final String name) throws Exception
    {
        final Field field = target.getClass().getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
    }

    /** Stands in for a sink whose write fails with an unchecked exception. */
    private static final class ThrowingChannel extends SocketChannel
    {
        ThrowingChannel()
        {
            super(SelectorProvider.provider());
        }

        public int write(final ByteBuffer src)
        {
            throw new IllegalStateException("injected fault");
        }

        public long write(final ByteBuffer[] srcs, final int offset, final int length)
        {
            throw new IllegalStateException("injected fault");
        }

        public int read(final ByteBuffer dst)
        {
            throw new UnsupportedOperationException();
        }

        public long read(final ByteBuffer[] dsts, final int offset, final int length)
        {
            throw new UnsupportedOperationException();
        }

        public SocketChannel bind(final SocketAddress local)
        {
            throw new UnsupportedOperationException();
        }

        public <T> SocketChannel setOption(final SocketOption<T> name, final T value)
        {
            return this;
        }

        public <T> T getOption(final SocketOption<T> name)
        {
            throw new UnsupportedOperationException();
        }

        public Set<SocketOption<?>> supportedOptions()
        {
            return Set.of();
        }

        public SocketChannel shutdownInput()
        {
            return this;
        }

        public SocketChannel shutdownOutput()
        {
            return this;
        }

        public Socket socket()
        {
            throw new UnsupportedOperationException();
        }

        public boolean isConnected()
        {
            return true;
        }

        public boolean isConnectionPending()
        {
            return false;
        }

        public boolean connect(final SocketAddress remote)
        {
            throw new UnsupportedOperationException();
        }

        public boolean finishConnect()
        {
            return true;
        }

        public SocketAddress getRemoteAddress()
        {
            return null;
        }

        public SocketAddress getLocalAddress()
        {
            return null;
        }

        protected void implCloseSelectableChannel() { }
        protected void implConfigureBlocking(final boolean block) { }
    }
}
