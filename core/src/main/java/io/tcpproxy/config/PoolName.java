package io.tcpproxy.config;

/**
 * What a pool name may be (1 to 64 letters, digits, '_', '-' or '.'), for the keys that name a pool and for
 * {@code [pool.NAME]} tables.
 */
final class PoolName
{
    private static final String PATTERN = "[A-Za-z0-9_.-]{1,64}";

    private PoolName()
    {
    }

    static String check(final String name)
    {
        if (name == null || !name.matches(PATTERN))
        {
            throw new IllegalArgumentException("expected a pool name of 1 to 64 letters, digits, '_', '-' or '.', " +
                "got " + (name == null ? "nothing" : "\"" + name + "\""));
        }
        return name;
    }

    /**
     * @param emptyAllowed whether "" is a value too (meaning no pool).
     * @return the value type of a key that names a pool.
     */
    static ValueType<String> type(final boolean emptyAllowed)
    {
        final String expected = "a pool name (letters, digits, '_', '-', '.')" + (emptyAllowed ? " or \"\"" : "");
        return ValueType.string(expected, name ->
        {
            if (emptyAllowed && name.isEmpty())
            {
                return name;
            }
            if (!name.matches(PATTERN))
            {
                throw new IllegalArgumentException("expected " + expected + ", got \"" + name + "\"");
            }
            return name;
        });
    }
}
