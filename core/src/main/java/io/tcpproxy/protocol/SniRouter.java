package io.tcpproxy.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses a target (a pool) for a TLS connection from the server name and ALPN protocols of its ClientHello, on the
 * bytes and without allocation. Names match case-insensitively with a trailing dot ignored: exact names first; then
 * the longest leading wildcard ({@code *.example.com} matches {@code a.example.com} and {@code a.b.example.com}, not
 * {@code example.com}); then routes that list no names; then the default. Among routes for the same name, the first
 * (in the order given) whose ALPN constraint the client meets wins; a route with an ALPN list requires the client to
 * offer one of those protocols. Immutable once built; safe to share between threads.
 *
 * @param <T> the target type.
 */
public final class SniRouter<T>
{
    private final NameTable exact;
    private final NameTable wildcard;
    private final int[] anyNameRoutes;
    private final byte[][][] routeAlpn;
    private final Object[] routeTargets;
    private final T defaultTarget;

    private SniRouter(final Builder<T> builder, final T defaultTarget)
    {
        final Map<String, List<Integer>> exactNames = new LinkedHashMap<>();
        final Map<String, List<Integer>> wildcardSuffixes = new LinkedHashMap<>();
        final List<Integer> anyName = new ArrayList<>();
        final int routes = builder.targets.size();
        routeAlpn = new byte[routes][][];
        routeTargets = builder.targets.toArray();
        for (int r = 0; r < routes; r++)
        {
            final List<String> names = builder.names.get(r);
            if (names.isEmpty())
            {
                anyName.add(r);
            }
            for (final String name : names)
            {
                if (name.startsWith("*."))
                {
                    wildcardSuffixes.computeIfAbsent(name.substring(1), k -> new ArrayList<>()).add(r);
                }
                else
                {
                    exactNames.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
                }
            }
            final List<String> alpn = builder.alpn.get(r);
            routeAlpn[r] = new byte[alpn.size()][];
            for (int a = 0; a < alpn.size(); a++)
            {
                routeAlpn[r][a] = alpn.get(a).getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        exact = new NameTable(exactNames);
        wildcard = new NameTable(wildcardSuffixes);
        anyNameRoutes = anyName.stream().mapToInt(Integer::intValue).toArray();
        this.defaultTarget = defaultTarget;
    }

    /**
     * @param <T> the target type.
     * @return a builder; add routes in order of preference.
     */
    public static <T> Builder<T> builder()
    {
        return new Builder<>();
    }

    /**
     * Route by a completed peek.
     *
     * @param hello a peek that returned DONE.
     * @return the target, or the default (null when there is none: close with reason {@code no_route}).
     */
    public T route(final ClientHelloPeek hello)
    {
        return route(hello.serverName(), hello.serverNameLength(), hello);
    }

    /**
     * Route by a server name given as bytes.
     *
     * @param name   the name bytes (ASCII, any case); may be longer than nameLength.
     * @param nameLength how many bytes are the name; 0 for a hello without a name.
     * @param alpn   the client's ALPN offer, or null for none.
     * @return the target, or the default.
     */
    @SuppressWarnings("unchecked")
    public T route(final byte[] name, final int nameLength, final ClientHelloPeek alpn)
    {
        int length = nameLength;
        if (length > 0 && name[length - 1] == '.')
        {
            length--;
        }
        if (length > 0)
        {
            int r = firstAdmitted(exact.find(name, 0, length), alpn);
            if (r >= 0)
            {
                return (T)routeTargets[r];
            }
            for (int dot = 0; dot < length; dot++)
            {
                if (name[dot] == '.')
                {
                    r = firstAdmitted(wildcard.find(name, dot, length), alpn);
                    if (r >= 0)
                    {
                        return (T)routeTargets[r];
                    }
                }
            }
        }
        final int r = firstAdmitted(anyNameRoutes, alpn);
        return r >= 0 ? (T)routeTargets[r] : defaultTarget;
    }

    private int firstAdmitted(final int[] routes, final ClientHelloPeek alpn)
    {
        if (routes == null)
        {
            return -1;
        }
        for (final int r : routes)
        {
            if (alpnAdmits(routeAlpn[r], alpn))
            {
                return r;
            }
        }
        return -1;
    }

    private static boolean alpnAdmits(final byte[][] required, final ClientHelloPeek offered)
    {
        if (required.length == 0)
        {
            return true;
        }
        if (offered == null)
        {
            return false;
        }
        for (int i = 0; i < offered.alpnCount(); i++)
        {
            for (final byte[] protocol : required)
            {
                if (java.util.Arrays.equals(protocol, 0, protocol.length, offered.alpnBytes(), offered.alpnOffset(i),
                    offered.alpnOffset(i) + offered.alpnLength(i)))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Collects routes.
     *
     * @param <T> the target type.
     */
    public static final class Builder<T>
    {
        private final List<List<String>> names = new ArrayList<>();
        private final List<List<String>> alpn = new ArrayList<>();
        private final List<T> targets = new ArrayList<>();

        private Builder()
        {
        }

        /**
         * Add a route.
         *
         * @param serverNames exact names and {@code *.}-wildcards; empty: any name, and connections without one.
         * @param alpnProtocols empty, or protocols of which the client must offer one.
         * @param target where matching connections go.
         * @return this.
         * @throws IllegalArgumentException naming the bad entry when a name or protocol is malformed.
         */
        public Builder<T> route(final List<String> serverNames, final List<String> alpnProtocols, final T target)
        {
            final List<String> normalised = new ArrayList<>();
            for (final String name : serverNames)
            {
                normalised.add(normalise(name));
            }
            for (final String protocol : alpnProtocols)
            {
                if (protocol.isEmpty() || protocol.length() > 255 ||
                    !StandardCharsets.US_ASCII.newEncoder().canEncode(protocol))
                {
                    throw new IllegalArgumentException("an ALPN protocol is 1 to 255 ASCII characters such as h2 or " +
                        "http/1.1, got \"" + protocol + "\"");
                }
            }
            names.add(normalised);
            alpn.add(List.copyOf(alpnProtocols));
            targets.add(target);
            return this;
        }

        /**
         * @param defaultTarget where connections go that match no route (no name, not TLS when so configured);
         *                      null: they are closed with reason {@code no_route}.
         * @return the router.
         */
        public SniRouter<T> build(final T defaultTarget)
        {
            return new SniRouter<>(this, defaultTarget);
        }

        private static String normalise(final String name)
        {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.endsWith("."))
            {
                n = n.substring(0, n.length() - 1);
            }
            final String host = n.startsWith("*.") ? n.substring(2) : n;
            boolean valid = !host.isEmpty() && host.length() <= 253 && !host.startsWith(".") && !host.endsWith(".") &&
                !host.contains("..");
            for (int i = 0; i < host.length() && valid; i++)
            {
                final char c = host.charAt(i);
                valid = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
            }
            if (!valid)
            {
                throw new IllegalArgumentException("expected a server name such as api.example.com or a leading " +
                    "wildcard such as *.example.com, got \"" + name + "\"");
            }
            return n;
        }
    }

    /** Lower-case names (or wildcard suffixes with their leading dot) to route lists; looked up on raw bytes. */
    private static final class NameTable
    {
        private final byte[][] keys;
        private final int[][] routes;
        private final int mask;

        NameTable(final Map<String, List<Integer>> entries)
        {
            int slots = 2;
            while (slots < entries.size() * 2)
            {
                slots *= 2;
            }
            keys = new byte[slots][];
            routes = new int[slots][];
            mask = slots - 1;
            for (final Map.Entry<String, List<Integer>> entry : entries.entrySet())
            {
                final byte[] key = entry.getKey().getBytes(StandardCharsets.US_ASCII);
                int slot = hash(key, 0, key.length) & mask;
                while (keys[slot] != null)
                {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                routes[slot] = entry.getValue().stream().mapToInt(Integer::intValue).toArray();
            }
        }

        int[] find(final byte[] name, final int from, final int to)
        {
            for (int slot = hash(name, from, to) & mask; keys[slot] != null; slot = (slot + 1) & mask)
            {
                if (equalsIgnoreCase(keys[slot], name, from, to))
                {
                    return routes[slot];
                }
            }
            return null;
        }

        private static int hash(final byte[] name, final int from, final int to)
        {
            int h = 0x811C9DC5;
            for (int i = from; i < to; i++)
            {
                h = (h ^ lower(name[i])) * 0x01000193;
            }
            return h ^ (h >>> 16);
        }

        private static boolean equalsIgnoreCase(final byte[] lowerKey, final byte[] name, final int from, final int to)
        {
            if (lowerKey.length != to - from)
            {
                return false;
            }
            for (int i = 0; i < lowerKey.length; i++)
            {
                if (lowerKey[i] != lower(name[from + i]))
                {
                    return false;
                }
            }
            return true;
        }

        private static int lower(final byte b)
        {
            return b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b;
        }
    }
}
