package io.tcpproxy.access;

/**
 * Per-client admission state, bounded: the open connections of each client ({@code max_connections_per_client}) and
 * a token bucket of new connections ({@code client_connect_rate} per second, {@code client_connect_burst} at once).
 * <p>
 * <b>Memory</b> is fixed at construction: {@code capacity} entries in flat arrays. A new client takes a free entry or
 * evicts the least recently used client that has no open connection in its stripe (see below: with 128 entries or
 * more the table is striped, and the LRU order is kept per stripe of at least 64 entries); its bucket starts full. So a scan from a
 * million addresses costs the same memory as one from a thousand (it only forgets idle clients' buckets sooner).
 * A client with an open connection is never evicted, so give well more entries than {@code max_connections} (twice
 * or more: a stripe fills on its own share of the clients); if every entry of the stripe a new client hashes to holds
 * a client with open connections, the new client is refused as {@link Admission#CLIENT_LIMIT}.
 * <p>
 * <b>Concurrency</b>: shared by all workers. The table is split into stripes by the key's hash, each stripe a small
 * open-addressed table with its own LRU list guarded by its own monitor; a call locks one stripe for a few array
 * reads and writes and allocates nothing. Workers contend only when two accept clients hashing to the same stripe at
 * the same instant. Time is passed in ({@code nowNs}, any monotonic nanosecond clock), so tests drive it by hand.
 */
public final class ClientTable
{
    /** The outcome of {@link #tryAcquire}. */
    public enum Admission
    {
        /** Admitted: one more open connection counted; call {@link #release} when it closes. */
        ADMITTED,
        /** Refused: the client has {@code max_connections_per_client} open (close reason {@code client_limit}). */
        CLIENT_LIMIT,
        /** Refused: the client's bucket is empty (close reason {@code rate_limited}). */
        RATE_LIMITED
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Stripe[] stripes;
    private final int stripeMask;
    private final int capacity;
    private final int maxConnectionsPerClient;
    private final long intervalNs;
    private final long burstToleranceNs;

    /**
     * @param capacity                how many clients are remembered at most (at least 1).
     * @param maxConnectionsPerClient open connections per client, 0 = no limit.
     * @param connectRatePerSecond    new connections per second per client, 0 = no limit.
     * @param connectBurst            new connections at once per client, 0 = same as the rate.
     */
    public ClientTable(final int capacity, final int maxConnectionsPerClient, final int connectRatePerSecond,
        final int connectBurst)
    {
        if (capacity < 1 || maxConnectionsPerClient < 0 || connectRatePerSecond < 0 || connectBurst < 0)
        {
            throw new IllegalArgumentException("capacity must be at least 1 and limits not negative, got capacity " +
                capacity + ", max per client " + maxConnectionsPerClient + ", rate " + connectRatePerSecond +
                ", burst " + connectBurst);
        }
        int stripeCount = 1;
        while (stripeCount < 64 && stripeCount * 2L * 64 <= capacity)
        {
            stripeCount *= 2;
        }
        stripes = new Stripe[stripeCount];
        int remaining = capacity;
        for (int i = 0; i < stripeCount; i++)
        {
            final int entries = remaining / (stripeCount - i);
            stripes[i] = new Stripe(entries);
            remaining -= entries;
        }
        this.stripeMask = stripeCount - 1;
        this.capacity = capacity;
        this.maxConnectionsPerClient = maxConnectionsPerClient;
        this.intervalNs = connectRatePerSecond == 0 ? 0 : Math.max(1, NANOS_PER_SECOND / connectRatePerSecond);
        final int burst = connectBurst == 0 ? connectRatePerSecond : connectBurst;
        this.burstToleranceNs = intervalNs * Math.max(0, burst - 1);
    }

    /**
     * Admit a new connection from a client, or say why not. Admitted connections count as open until
     * {@link #release}.
     *
     * @param keyHigh {@link ClientKey#high}.
     * @param keyLow  {@link ClientKey#low}.
     * @param nowNs   a monotonic nanosecond time.
     * @return ADMITTED, CLIENT_LIMIT or RATE_LIMITED.
     */
    public Admission tryAcquire(final long keyHigh, final long keyLow, final long nowNs)
    {
        final int hash = hash(keyHigh, keyLow);
        final Stripe stripe = stripes[hash & stripeMask];
        synchronized (stripe)
        {
            final int entry = stripe.findOrInsert(keyHigh, keyLow, hash >>> 8, nowNs);
            if (entry < 0)
            {
                return Admission.CLIENT_LIMIT;
            }
            if (maxConnectionsPerClient > 0 && stripe.open[entry] >= maxConnectionsPerClient)
            {
                stripe.touch(entry);
                return Admission.CLIENT_LIMIT;
            }
            if (intervalNs > 0)
            {
                // GCRA: the bucket is a "theoretical arrival time"; full when it is not after now
                final long theoreticalNs = Math.max(stripe.theoreticalArrivalNs[entry], nowNs);
                if (theoreticalNs - nowNs > burstToleranceNs)
                {
                    stripe.touch(entry);
                    return Admission.RATE_LIMITED;
                }
                stripe.theoreticalArrivalNs[entry] = theoreticalNs + intervalNs;
            }
            stripe.open(entry);
            return Admission.ADMITTED;
        }
    }

    /**
     * Count one admitted connection of this client as closed.
     *
     * @param keyHigh {@link ClientKey#high}.
     * @param keyLow  {@link ClientKey#low}.
     * @return false when the client had no open connection here (a release without an acquire).
     */
    public boolean release(final long keyHigh, final long keyLow)
    {
        final int hash = hash(keyHigh, keyLow);
        final Stripe stripe = stripes[hash & stripeMask];
        synchronized (stripe)
        {
            final int entry = stripe.find(keyHigh, keyLow, hash >>> 8);
            if (entry < 0 || stripe.open[entry] == 0)
            {
                return false;
            }
            stripe.close(entry);
            return true;
        }
    }

    /**
     * @param keyHigh {@link ClientKey#high}.
     * @param keyLow  {@link ClientKey#low}.
     * @return the client's open connections counted here.
     */
    public int openConnections(final long keyHigh, final long keyLow)
    {
        final int hash = hash(keyHigh, keyLow);
        final Stripe stripe = stripes[hash & stripeMask];
        synchronized (stripe)
        {
            final int entry = stripe.find(keyHigh, keyLow, hash >>> 8);
            return entry < 0 ? 0 : stripe.open[entry];
        }
    }

    /** @return how many clients are remembered now (at most {@link #capacity()}). */
    public int size()
    {
        int size = 0;
        for (final Stripe stripe : stripes)
        {
            synchronized (stripe)
            {
                size += stripe.size;
            }
        }
        return size;
    }

    /** @return the most clients remembered, fixed at construction. */
    public int capacity()
    {
        return capacity;
    }

    private static int hash(final long high, final long low)
    {
        long h = high * 0x9E3779B97F4A7C15L ^ low;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * One stripe: entries in flat arrays, an open-addressed index (linear probing, backward-shift deletion) from key
     * to entry, and a doubly linked LRU list of the entries with no open connection.
     */
    private static final class Stripe
    {
        private static final int NONE = -1;

        final long[] keyHigh;
        final long[] keyLow;
        final int[] open;
        final long[] theoreticalArrivalNs;
        final int[] previous;
        final int[] next;
        final int[] slotOfEntry;
        final int[] index;
        final int indexMask;
        int size;
        int idleHead = NONE;
        int idleTail = NONE;

        Stripe(final int entries)
        {
            keyHigh = new long[entries];
            keyLow = new long[entries];
            open = new int[entries];
            theoreticalArrivalNs = new long[entries];
            previous = new int[entries];
            next = new int[entries];
            slotOfEntry = new int[entries];
            int slots = 2;
            while (slots < entries * 2)
            {
                slots *= 2;
            }
            index = new int[slots];
            java.util.Arrays.fill(index, NONE);
            indexMask = slots - 1;
        }

        int find(final long high, final long low, final int hash)
        {
            for (int slot = hash & indexMask; ; slot = (slot + 1) & indexMask)
            {
                final int entry = index[slot];
                if (entry == NONE)
                {
                    return NONE;
                }
                if (keyHigh[entry] == high && keyLow[entry] == low)
                {
                    return entry;
                }
            }
        }

        int findOrInsert(final long high, final long low, final int hash, final long nowNs)
        {
            final int found = find(high, low, hash);
            if (found != NONE)
            {
                return found;
            }
            final int entry;
            if (size < keyHigh.length)
            {
                entry = size++;
            }
            else
            {
                entry = idleTail;
                if (entry == NONE)
                {
                    return NONE;
                }
                unlinkIdle(entry);
                removeFromIndex(slotOfEntry[entry]);
            }
            keyHigh[entry] = high;
            keyLow[entry] = low;
            open[entry] = 0;
            theoreticalArrivalNs[entry] = nowNs;
            int slot = hash & indexMask;
            while (index[slot] != NONE)
            {
                slot = (slot + 1) & indexMask;
            }
            index[slot] = entry;
            slotOfEntry[entry] = slot;
            linkIdleAtHead(entry);
            return entry;
        }

        void touch(final int entry)
        {
            if (open[entry] == 0 && idleHead != entry)
            {
                unlinkIdle(entry);
                linkIdleAtHead(entry);
            }
        }

        void open(final int entry)
        {
            if (open[entry]++ == 0)
            {
                unlinkIdle(entry);
            }
        }

        void close(final int entry)
        {
            if (--open[entry] == 0)
            {
                linkIdleAtHead(entry);
            }
        }

        private void linkIdleAtHead(final int entry)
        {
            previous[entry] = NONE;
            next[entry] = idleHead;
            if (idleHead != NONE)
            {
                previous[idleHead] = entry;
            }
            idleHead = entry;
            if (idleTail == NONE)
            {
                idleTail = entry;
            }
        }

        private void unlinkIdle(final int entry)
        {
            final int before = previous[entry];
            final int after = next[entry];
            if (before != NONE)
            {
                next[before] = after;
            }
            else
            {
                idleHead = after;
            }
            if (after != NONE)
            {
                previous[after] = before;
            }
            else
            {
                idleTail = before;
            }
            previous[entry] = NONE;
            next[entry] = NONE;
        }

        private void removeFromIndex(final int removedSlot)
        {
            // backward-shift deletion keeps every probe chain unbroken without tombstones
            int hole = removedSlot;
            index[hole] = NONE;
            for (int slot = (hole + 1) & indexMask; index[slot] != NONE; slot = (slot + 1) & indexMask)
            {
                final int entry = index[slot];
                final int home = homeSlot(entry);
                final boolean movable = hole <= slot ? (home <= hole || home > slot) : (home <= hole && home > slot);
                if (movable)
                {
                    index[hole] = entry;
                    slotOfEntry[entry] = hole;
                    index[slot] = NONE;
                    hole = slot;
                }
            }
        }

        private int homeSlot(final int entry)
        {
            return (hash(keyHigh[entry], keyLow[entry]) >>> 8) & indexMask;
        }
    }
}
