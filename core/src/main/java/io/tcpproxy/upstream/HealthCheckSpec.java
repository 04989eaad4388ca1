package io.tcpproxy.upstream;

import java.util.Arrays;

/**
 * The {@code [health_check]} table: active checks run by the pool's health agent.
 *
 * @param intervalMs between two checks of one server.
 * @param timeoutMs  for connecting and, with {@code expect}, for the full reply.
 * @param rise       successes in a row that mark a server up.
 * @param fall       failures in a row that mark a server down.
 * @param port       checked instead of the server's port; 0 = the server's.
 * @param send       bytes sent after connecting (escapes already decoded); empty: nothing.
 * @param expect     the reply must start with these bytes; empty: connecting is enough.
 */
public record HealthCheckSpec(long intervalMs, long timeoutMs, int rise, int fall, int port, byte[] send, byte[] expect)
{
    /**
     * Validate and copy the byte arrays.
     *
     * @throws IllegalArgumentException saying what was expected.
     */
    public HealthCheckSpec
    {
        if (intervalMs < 1)
        {
            throw new IllegalArgumentException("health_check interval_ms must be 1 or more, got " + intervalMs);
        }
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("health_check timeout_ms must be 1 or more, got " + timeoutMs);
        }
        if (rise < 1)
        {
            throw new IllegalArgumentException("health_check rise must be 1 or more, got " + rise);
        }
        if (fall < 1)
        {
            throw new IllegalArgumentException("health_check fall must be 1 or more, got " + fall);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("health_check port must be 0-65535, got " + port);
        }
        send = send == null ? new byte[0] : send.clone();
        expect = expect == null ? new byte[0] : expect.clone();
    }

    /**
     * A plain connect check with the defaults for timing: 2000 ms interval, 1000 ms timeout, rise 2, fall 3.
     *
     * @return the spec.
     */
    public static HealthCheckSpec defaults()
    {
        return new HealthCheckSpec(2000, 1000, 2, 3, 0, null, null);
    }

    /** @return a copy of the bytes sent after connecting. */
    @Override
    public byte[] send()
    {
        return send.clone();
    }

    /** @return a copy of the expected reply prefix. */
    @Override
    public byte[] expect()
    {
        return expect.clone();
    }

    byte[] sendBytes()
    {
        return send;
    }

    byte[] expectBytes()
    {
        return expect;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof HealthCheckSpec other && intervalMs == other.intervalMs && timeoutMs == other.timeoutMs &&
            rise == other.rise && fall == other.fall && port == other.port && Arrays.equals(send, other.send) &&
            Arrays.equals(expect, other.expect);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(intervalMs) * 31 + Arrays.hashCode(send) * 17 + Arrays.hashCode(expect) + rise + fall;
    }

    @Override
    public String toString()
    {
        return "HealthCheckSpec[intervalMs=" + intervalMs + ", timeoutMs=" + timeoutMs + ", rise=" + rise +
            ", fall=" + fall + ", port=" + port + ", send=" + send.length + " bytes, expect=" + expect.length +
            " bytes]";
    }
}
