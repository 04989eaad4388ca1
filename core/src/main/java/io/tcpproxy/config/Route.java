package io.tcpproxy.config;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A TLS routing rule ({@code [[route]]}): connections whose ClientHello names one of {@link #sni()} (and, when
 * {@link #alpn()} is not empty, offers one of those protocols) go to {@link #pool()}. Server names are stored in
 * lower case without a trailing dot; a wildcard is a leading {@code *.} only. Immutable.
 */
public final class Route
{
    private final List<String> sni;
    private final List<String> alpn;
    private final String pool;

    private Route(final Builder builder)
    {
        sni = builder.sni;
        alpn = builder.alpn;
        pool = builder.pool;
    }

    /** @return a builder with no names, no protocols and no pool yet. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return exact names and {@code *.suffix} wildcards, lower case, without trailing dots (unmodifiable). */
    public List<String> sni()
    {
        return sni;
    }

    /** @return ALPN protocols of which the client must offer one; empty = any (unmodifiable). */
    public List<String> alpn()
    {
        return alpn;
    }

    /** @return the pool the matching connections go to. */
    public String pool()
    {
        return pool;
    }

    static String normalizeServerName(final String name)
    {
        String normalized = name.trim().toLowerCase(Locale.ROOT);
        if (normalized.endsWith("."))
        {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        final String labels = normalized.startsWith("*.") ? normalized.substring(2) : normalized;
        if (labels.isEmpty() || labels.length() > 253 || !labels.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*"))
        {
            throw new IllegalArgumentException("expected server names such as \"api.example.com\" or " +
                "\"*.example.com\" (a wildcard only as the first label), got \"" + name + "\"");
        }
        return normalized;
    }

    static String checkAlpn(final String protocol)
    {
        if (protocol.isEmpty() || protocol.length() > 255)
        {
            throw new IllegalArgumentException(
                "expected ALPN protocol names of 1 to 255 characters such as \"h2\", got \"" + protocol + "\"");
        }
        return protocol;
    }

    public boolean equals(final Object o)
    {
        return o instanceof Route && ((Route)o).sni.equals(sni) && ((Route)o).alpn.equals(alpn) &&
            ((Route)o).pool.equals(pool);
    }

    public int hashCode()
    {
        return Objects.hash(sni, alpn, pool);
    }

    public String toString()
    {
        return "Route{sni=" + sni + ", alpn=" + alpn + ", pool=" + pool + "}";
    }

    /** Builds a {@link Route}; each setter checks its value like the file does. */
    public static final class Builder
    {
        List<String> sni = List.of();
        List<String> alpn = List.of();
        String pool;

        private Builder()
        {
        }

        /** @param names exact server names and leading wildcards ({@code *.example.com}). @return this builder. */
        public Builder sni(final List<String> names)
        {
            ConfigKey.ROUTE_SNI.setIn(this, names);
            return this;
        }

        /** @param protocols ALPN protocols, one of which the client must offer. @return this builder. */
        public Builder alpn(final List<String> protocols)
        {
            ConfigKey.ROUTE_ALPN.setIn(this, protocols);
            return this;
        }

        /** @param pool where matching connections go (required). @return this builder. */
        public Builder pool(final String pool)
        {
            ConfigKey.ROUTE_POOL.setIn(this, pool);
            return this;
        }

        /**
         * @return the route.
         * @throws IllegalArgumentException when the pool is missing, or neither names nor protocols are given.
         */
        public Route build()
        {
            if (pool == null)
            {
                throw new IllegalArgumentException("pool is required, e.g. pool = \"api\"");
            }
            if (sni.isEmpty() && alpn.isEmpty())
            {
                throw new IllegalArgumentException("a route needs sni names, alpn protocols or both");
            }
            return new Route(this);
        }
    }
}
