package io.tcpproxy.bench.report;

import java.net.InetSocketAddress;

/**
 * A named echo endpoint to measure: the proxy, the echo server directly, or another proxy.
 *
 * @param name label in tables and charts, e.g. {@code proxy}.
 * @param host host name or IP literal.
 * @param port TCP port.
 */
public record Target(String name, String host, int port)
{
    /**
     * @param text {@code NAME=HOST:PORT}, e.g. {@code haproxy=127.0.0.1:3001}.
     * @return the parsed target.
     * @throws IllegalArgumentException saying what is expected.
     */
    public static Target parse(final String text)
    {
        final int equals = text.indexOf('=');
        if (equals <= 0 || equals == text.length() - 1)
        {
            throw new IllegalArgumentException("expected NAME=HOST:PORT, e.g. haproxy=127.0.0.1:3001, got \"" + text + "\"");
        }
        final String name = text.substring(0, equals).trim();
        final String address = text.substring(equals + 1).trim();
        final int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1)
        {
            throw new IllegalArgumentException("expected NAME=HOST:PORT, e.g. haproxy=127.0.0.1:3001, got \"" + text + "\"");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(address.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("expected a port number after the colon in \"" + text + "\"");
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("expected a port from 1 to 65535 in \"" + text + "\"");
        }
        if (!name.matches("[A-Za-z0-9_.\\-]+"))
        {
            throw new IllegalArgumentException("expected a target name of letters, digits, '.', '_' or '-', got \"" +
                name + "\"");
        }
        return new Target(name, host, port);
    }

    /**
     * @return a resolved socket address.
     */
    public InetSocketAddress socketAddress()
    {
        return new InetSocketAddress(host, port);
    }

    /**
     * @return {@code HOST:PORT}.
     */
    public String address()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
