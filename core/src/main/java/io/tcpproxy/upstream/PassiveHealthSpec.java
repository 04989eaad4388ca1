package io.tcpproxy.upstream;

/**
 * The {@code [passive_health]} table: ejection fed by the workers' connect results.
 *
 * @param consecutiveFailures failed connects in a row that take a server out; 0 turns passive health off.
 * @param ejectionSecs        how long the first ejection lasts; doubled on each repeat, at most
 *                            {@link #MAX_EJECTION_SECS}.
 */
public record PassiveHealthSpec(int consecutiveFailures, long ejectionSecs)
{
    /** The longest ejection, however often a server is ejected again. */
    public static final long MAX_EJECTION_SECS = 300;

    /**
     * Validate.
     *
     * @throws IllegalArgumentException saying what was expected.
     */
    public PassiveHealthSpec
    {
        if (consecutiveFailures < 0)
        {
            throw new IllegalArgumentException(
                "passive_health consecutive_failures must be 0 (off) or more, got " + consecutiveFailures);
        }
        if (ejectionSecs < 1 || ejectionSecs > MAX_EJECTION_SECS)
        {
            throw new IllegalArgumentException(
                "passive_health ejection_secs must be 1 to " + MAX_EJECTION_SECS + ", got " + ejectionSecs);
        }
    }

    /**
     * @return the defaults: 5 failures, 30 s.
     */
    public static PassiveHealthSpec defaults()
    {
        return new PassiveHealthSpec(5, 30);
    }
}
