package io.tcpproxy.upstream;

/**
 * One server's active-check verdict: {@code fall} failures in a row mark it down, {@code rise} successes in a row
 * mark it up; it starts up (or, for a server a reload kept, as it was). Owned by the health agent's thread.
 */
final class HealthState
{
    private final int rise;
    private final int fall;
    private boolean up;
    private int successesInARow;
    private int failuresInARow;

    HealthState(final int rise, final int fall)
    {
        this(rise, fall, true);
    }

    HealthState(final int rise, final int fall, final boolean up)
    {
        this.rise = rise;
        this.fall = fall;
        this.up = up;
    }

    /**
     * @param success the check's outcome.
     * @return true when this check changed the verdict.
     */
    boolean record(final boolean success)
    {
        if (success)
        {
            failuresInARow = 0;
            successesInARow++;
            if (!up && successesInARow >= rise)
            {
                up = true;
                return true;
            }
        }
        else
        {
            successesInARow = 0;
            failuresInARow++;
            if (up && failuresInARow >= fall)
            {
                up = false;
                return true;
            }
        }
        return false;
    }

    boolean up()
    {
        return up;
    }

    int successesInARow()
    {
        return successesInARow;
    }

    int failuresInARow()
    {
        return failuresInARow;
    }
}
