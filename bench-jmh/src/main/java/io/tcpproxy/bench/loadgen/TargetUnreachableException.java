package io.tcpproxy.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * No connection to a target could be made, e.g. {@code connection refused to 127.0.0.1:9}.
 */
public final class TargetUnreachableException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param failure what the connect said, e.g. {@code Connection refused}.
     * @param address where it tried to connect.
     */
    public TargetUnreachableException(final String failure, final InetSocketAddress address)
    {
        super(lowerFirst(failure) + " to " + address.getHostString() + ":" + address.getPort());
    }

    private static String lowerFirst(final String text)
    {
        return text.isEmpty() ? text : text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }
}
