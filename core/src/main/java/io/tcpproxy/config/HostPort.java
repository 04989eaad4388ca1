package io.tcpproxy.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host (name or literal IP) and a port, as written in the configuration: {@code 127.0.0.1:3000},
 * {@code example.com:80} or {@code [::1]:3000}. Host names are resolved only when used.
 */
public final class HostPort
{
    private final String host;
    private final int port;

    private HostPort(final String host, final int port)
    {
        this.host = host;
        this.port = port;
    }

    /**
     * Parse {@code host:port} (IPv6 literals in brackets).
     *
     * @param text the address as written.
     * @return the parsed address.
     * @throws IllegalArgumentException with a message saying what is expected when the text does not parse.
     */
    public static HostPort parse(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("expected HOST:PORT, e.g. 127.0.0.1:3000, got an empty string");
        }
        final String trimmed = text.trim();
        final String host;
        final String portText;
        if (trimmed.startsWith("["))
        {
            final int close = trimmed.indexOf(']');
            if (close < 0 || close + 1 >= trimmed.length() || trimmed.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("expected [IPv6]:PORT, e.g. [::1]:3000, got \"" + text + "\"");
            }
            host = trimmed.substring(1, close);
            portText = trimmed.substring(close + 2);
        }
        else
        {
            final int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || trimmed.indexOf(':') != colon)
            {
                throw new IllegalArgumentException("expected HOST:PORT, e.g. 127.0.0.1:3000, got \"" + text + "\"");
            }
            host = trimmed.substring(0, colon);
            portText = trimmed.substring(colon + 1);
        }
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("expected HOST:PORT with a host before the colon, got \"" + text + "\"");
        }
        final int port;
        try
        {
            port = Integer.parseInt(portText);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                "expected a port number 0-65535 after the colon, got \"" + portText + "\" in \"" + text + "\"");
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 0-65535, got " + port + " in \"" + text + "\"");
        }
        return new HostPort(host, port);
    }

    /**
     * Build from parts.
     *
     * @param host name or literal IP.
     * @param port 0-65535 (0 binds a free port when listening).
     * @return the address.
     */
    public static HostPort of(final String host, final int port)
    {
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        return new HostPort(Objects.requireNonNull(host, "host"), port);
    }

    /**
     * @return the host name or literal.
     */
    public String host()
    {
        return host;
    }

    /**
     * @return the port.
     */
    public int port()
    {
        return port;
    }

    /**
     * Whether a host is written as an address rather than a name: an IPv6 literal (it has a colon) or four dotted
     * decimal groups of one to three digits. Names need DNS and are re-resolved; literals never are.
     *
     * @param host as written in the configuration.
     * @return true for an IP literal.
     */
    public static boolean isLiteralIp(final String host)
    {
        if (host.indexOf(':') >= 0)
        {
            return true;
        }
        int groups = 1;
        int digits = 0;
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }
                groups++;
                digits = 0;
            }
            else if (c < '0' || c > '9' || ++digits > 3)
            {
                return false;
            }
        }
        return groups == 4 && digits > 0;
    }

    /**
     * Resolve the host now (may block on DNS).
     *
     * @return a resolved socket address, unresolved if the name does not resolve.
     */
    public InetSocketAddress resolve()
    {
        return new InetSocketAddress(host, port);
    }

    /**
     * Format a socket address as {@code host:port}, with IPv6 literals in brackets.
     *
     * @param address to format.
     * @return the text.
     */
    public static String format(final InetSocketAddress address)
    {
        final String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public boolean equals(final Object o)
    {
        return o instanceof HostPort && ((HostPort)o).port == port && ((HostPort)o).host.equals(host);
    }

    public int hashCode()
    {
        return host.hashCode() * 31 + port;
    }

    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
