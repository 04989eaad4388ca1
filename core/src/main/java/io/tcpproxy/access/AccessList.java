package io.tcpproxy.access;

import java.util.List;

/**
 * The {@code allow} and {@code deny} lists: a client in {@code deny} is refused; otherwise, when {@code allow} is not
 * empty, only a client in it is served; an empty {@code allow} serves everyone. Immutable; safe to share.
 */
public final class AccessList
{
    private final CidrMatcher allow;
    private final CidrMatcher deny;

    /**
     * @param allow ranges served (empty: everyone not denied).
     * @param deny  ranges refused, checked first.
     */
    public AccessList(final List<CidrRange> allow, final List<CidrRange> deny)
    {
        this.allow = new CidrMatcher(allow);
        this.deny = new CidrMatcher(deny);
    }

    /**
     * @param address 4 or 16 valid bytes from index 0.
     * @param length  4 or 16.
     * @return true when the client may be served, false for reason {@code denied}.
     */
    public boolean admits(final byte[] address, final int length)
    {
        if (deny.matches(address, length))
        {
            return false;
        }
        return allow.isEmpty() || allow.matches(address, length);
    }

    /** @return true when both lists are empty: every client is admitted and the check can be skipped. */
    public boolean admitsEveryone()
    {
        return allow.isEmpty() && deny.isEmpty();
    }
}
