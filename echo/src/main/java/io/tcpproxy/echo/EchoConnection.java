package io.tcpproxy.echo;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client connection of an {@link EchoLoop}: {@code pending} holds bytes not yet written back (null when there are
 * none), {@code bytesRead} counts what the client has sent.
 */
final class EchoConnection
{
    final SocketChannel channel;
    SelectionKey key;
    ByteBuffer pending;
    long bytesRead;

    EchoConnection(final SocketChannel channel)
    {
        this.channel = channel;
    }
}
