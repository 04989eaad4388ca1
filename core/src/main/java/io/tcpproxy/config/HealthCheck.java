package io.tcpproxy.config;

import java.util.Arrays;

/**
 * Active health checks of a pool's servers ({@code [health_check]}, or {@code [pool.NAME.health_check]}): connect
 * every {@link #intervalMs()}, optionally send {@link #send()} and expect a reply starting with {@link #expect()}.
 * Immutable.
 */
public final class HealthCheck
{
    private final int intervalMs;
    private final int timeoutMs;
    private final int rise;
    private final int fall;
    private final int port;
    private final byte[] send;
    private final byte[] expect;

    private HealthCheck(final Builder builder)
    {
        intervalMs = builder.intervalMs;
        timeoutMs = builder.timeoutMs;
        rise = builder.rise;
        fall = builder.fall;
        port = builder.port;
        send = builder.send.clone();
        expect = builder.expect.clone();
    }

    /** @return a builder holding every default. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return milliseconds between two checks of one server. */
    public int intervalMs()
    {
        return intervalMs;
    }

    /** @return milliseconds one check may take (connect, send, reply). */
    public int timeoutMs()
    {
        return timeoutMs;
    }

    /** @return successes in a row that mark a server up. */
    public int rise()
    {
        return rise;
    }

    /** @return failures in a row that mark a server down. */
    public int fall()
    {
        return fall;
    }

    /** @return the port checked instead of the server's, 0 for the server's own. */
    public int port()
    {
        return port;
    }

    /** @return bytes sent after connecting (a copy; empty sends nothing). */
    public byte[] send()
    {
        return send.clone();
    }

    /** @return bytes the reply must start with (a copy; empty: connecting is enough). */
    public byte[] expect()
    {
        return expect.clone();
    }

    public boolean equals(final Object o)
    {
        if (!(o instanceof HealthCheck))
        {
            return false;
        }
        final HealthCheck that = (HealthCheck)o;
        return intervalMs == that.intervalMs && timeoutMs == that.timeoutMs && rise == that.rise &&
            fall == that.fall && port == that.port && Arrays.equals(send, that.send) &&
            Arrays.equals(expect, that.expect);
    }

    public int hashCode()
    {
        return ((intervalMs * 31 + timeoutMs) * 31 + rise * 7 + fall) * 31 + port + Arrays.hashCode(send);
    }

    public String toString()
    {
        return "HealthCheck{interval_ms=" + intervalMs + ", timeout_ms=" + timeoutMs + ", rise=" + rise +
            ", fall=" + fall + ", port=" + port + ", send=\"" + Escapes.encode(send) + "\", expect=\"" +
            Escapes.encode(expect) + "\"}";
    }

    /** Builds a {@link HealthCheck}; starts with every default. Each setter checks its range like the file does. */
    public static final class Builder
    {
        int intervalMs = 2000;
        int timeoutMs = 1000;
        int rise = 2;
        int fall = 3;
        int port = 0;
        byte[] send = new byte[0];
        byte[] expect = new byte[0];

        private Builder()
        {
        }

        /** @param ms between two checks of one server. @return this builder. */
        public Builder intervalMs(final int ms)
        {
            ConfigKey.HEALTH_CHECK_INTERVAL_MS.setIn(this, ms);
            return this;
        }

        /** @param ms one check may take. @return this builder. */
        public Builder timeoutMs(final int ms)
        {
            ConfigKey.HEALTH_CHECK_TIMEOUT_MS.setIn(this, ms);
            return this;
        }

        /** @param count successes in a row that mark a server up. @return this builder. */
        public Builder rise(final int count)
        {
            ConfigKey.HEALTH_CHECK_RISE.setIn(this, count);
            return this;
        }

        /** @param count failures in a row that mark a server down. @return this builder. */
        public Builder fall(final int count)
        {
            ConfigKey.HEALTH_CHECK_FALL.setIn(this, count);
            return this;
        }

        /** @param port checked instead of the server's; 0 for the server's own. @return this builder. */
        public Builder port(final int port)
        {
            ConfigKey.HEALTH_CHECK_PORT.setIn(this, port);
            return this;
        }

        /** @param escaped bytes to send, with \r \n \t \0 \\ \xNN escapes. @return this builder. */
        public Builder send(final String escaped)
        {
            ConfigKey.HEALTH_CHECK_SEND.setIn(this, escaped);
            return this;
        }

        /** @param escaped bytes the reply must start with, escaped as for {@link #send}. @return this builder. */
        public Builder expect(final String escaped)
        {
            ConfigKey.HEALTH_CHECK_EXPECT.setIn(this, escaped);
            return this;
        }

        /** @return the settings. */
        public HealthCheck build()
        {
            return new HealthCheck(this);
        }
    }
}
