package io.tcpproxy.engine;

import io.tcpproxy.CloseReason;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorsTest
{
    @Test
    void shouldLowerMaxConnectionsToWhatTheDescriptorLimitHolds()
    {
        // 256 descriptors, 20 open: 256 - 20 - 64 headroom - 2 workers x 4 = 164 spare, 2 per connection
        assertEquals(82, Descriptors.fixed(256, 20).effectiveMaxConnections(10_000, 2));
    }

    @Test
    void shouldKeepTheConfiguredMaxConnectionsWhenTheLimitHoldsMore()
    {
        assertEquals(10_000, Descriptors.fixed(1_048_576, 20).effectiveMaxConnections(10_000, 2));
        assertEquals(10_000, Descriptors.fixed(Long.MAX_VALUE, 0).effectiveMaxConnections(10_000, 64));
    }

    @Test
    void shouldNeverDeriveFewerThanOneConnection()
    {
        assertEquals(1, Descriptors.fixed(64, 60).effectiveMaxConnections(10_000, 1));
    }

    @Test
    void shouldReadThisProcessLimit()
    {
        final Descriptors descriptors = Descriptors.ofThisProcess();
        assertTrue(descriptors.limit() > 0);
        assertTrue(descriptors.roomForConnection(0), "no room for one connection in a fresh test JVM");
    }

    @Test
    void shouldNameALocalDescriptorShortageApartFromUpstreamFailures()
    {
        assertEquals(CloseReason.LOCAL_FD_LIMIT,
            UpstreamConnector.failureReason(new SocketException("Too many open files")));
        assertEquals(CloseReason.LOCAL_FD_LIMIT,
            UpstreamConnector.failureReason(new SocketException("Too many open files in system")));
        assertEquals(CloseReason.CONNECT_REFUSED,
            UpstreamConnector.failureReason(new ConnectException("Connection refused")));
        assertEquals(CloseReason.CONNECT_ERROR,
            UpstreamConnector.failureReason(new SocketException("Network is unreachable")));
        assertEquals("local_fd_limit", CloseReason.LOCAL_FD_LIMIT.label());
    }
}
