package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROXY header parsing and encoding, and ClientHello peeking and routing, allocate nothing once warmed up: the test
 * thread's allocated bytes do not grow with the number of headers handled.
 */
class CodecAllocationTest
{
    private static final int WINDOWS = 5;
    private static final int ROUNDS_PER_WINDOW = 20_000;

    @Test
    void shouldParseAndEncodeWithoutAllocating() throws Exception
    {
        final ByteBuffer v1Tcp4 = direct("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET /");
        final ByteBuffer v1Tcp6 = direct("PROXY TCP6 2001:db8::1 ::ffff:10.0.0.1 1 65535\r\n");
        final ProxyHeader sent = new ProxyHeader().setAddresses(
            java.net.InetAddress.getByName("2001:db8::7").getAddress(), 4000,
            java.net.InetAddress.getByName("::1").getAddress(), 443);
        sent.setSavedTlvs(new byte[] {1, 0, 2, 'h', '2'}, 0, 5);
        final ByteBuffer v2 = ByteBuffer.allocateDirect(512);
        ProxyHeaderEncoder.encodeV2(sent, v2);
        v2.flip();
        final ByteBuffer out = ByteBuffer.allocateDirect(512);
        final ByteBuffer extraTlv = ByteBuffer.wrap("conn-1".getBytes(StandardCharsets.US_ASCII));
        final ProxyHeader parsed = new ProxyHeader();

        assertRoundsAllocateNothing(50_000, (count) -> rounds(count, v1Tcp4, v1Tcp6, v2, out, extraTlv, parsed));
    }

    @Test
    void shouldPeekAndRouteAClientHelloWithoutAllocating() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("api.example.com", "h2", "http/1.1");
        final ByteBuffer received = ByteBuffer.allocateDirect(65536).put(hello).flip();
        final ClientHelloPeek peek = new ClientHelloPeek(65536);
        final SniRouter<String> router = SniRouter.<String>builder()
            .route(java.util.List.of("*.example.com"), java.util.List.of("h2"), "api")
            .build("default");
        assertRoundsAllocateNothing(20_000, (count) -> peekRounds(count, received, peek, router));
    }

    /**
     * Warm up with {@code warmUpRounds}, then measure the test thread's allocated bytes over {@link #WINDOWS} windows
     * of {@link #ROUNDS_PER_WINDOW} rounds each.
     *
     * @param rounds runs that many rounds and returns a checksum of what they computed (kept, so nothing is dead code).
     */
    private static void assertRoundsAllocateNothing(final int warmUpRounds, final IntToLongFunction rounds)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long self = Thread.currentThread().getId();
        long checksum = rounds.applyAsLong(warmUpRounds);
        final long[] windowBytes = new long[WINDOWS];
        for (int w = 0; w < WINDOWS; w++)
        {
            final long before = threads.getThreadAllocatedBytes(self);
            checksum += rounds.applyAsLong(ROUNDS_PER_WINDOW);
            windowBytes[w] = threads.getThreadAllocatedBytes(self) - before;
        }
        assertTrue(checksum > 0);
        // One allocation per round would be at least 16 B x 20,000 = 320 KB per window; the JIT may allocate a little
        // once in a while (deoptimisation), which is not per round. So: every window well under the per-round figure,
        // and most allocate nothing.
        assertMostWindowsAllocateNothing(windowBytes);
    }

    /** Every window well under one allocation per round, and all but two allocate nothing. */
    private static void assertMostWindowsAllocateNothing(final long[] windowBytes)
    {
        final String figures = Arrays.toString(windowBytes) + " bytes in windows of " + ROUNDS_PER_WINDOW + " rounds";
        int clean = 0;
        for (final long bytes : windowBytes)
        {
            assertTrue(bytes < 16L * ROUNDS_PER_WINDOW / 4, figures);
            if (bytes == 0)
            {
                clean++;
            }
        }
        assertTrue(clean >= WINDOWS - 2, figures);
    }

    private static long peekRounds(final int count, final ByteBuffer received, final ClientHelloPeek peek,
        final SniRouter<String> router)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            peek.reset(65536);
            if (peek.peek(received) != ClientHelloPeek.Status.DONE || !"api".equals(router.route(peek)))
            {
                throw new AssertionError("expected the api route");
            }
            sum += peek.serverNameLength() + peek.alpnCount();
        }
        return sum;
    }

    private static long rounds(final int count, final ByteBuffer v1Tcp4, final ByteBuffer v1Tcp6,
        final ByteBuffer v2, final ByteBuffer out, final ByteBuffer extraTlv, final ProxyHeader parsed)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            assertDone(ProxyHeaderParser.parse(v1Tcp4, parsed));
            sum += parsed.sourcePort();
            assertDone(ProxyHeaderParser.parse(v1Tcp6, parsed));
            sum += parsed.destinationPort();
            assertDone(ProxyHeaderParser.parse(v2, parsed));
            parsed.saveTlvs(v2);
            out.clear();
            final int start = ProxyHeaderEncoder.encodeV2(parsed, out);
            ProxyHeaderEncoder.appendTlv(out, start, ProxyHeaderEncoder.PP2_TYPE_UNIQUE_ID, extraTlv);
            sum += out.position();
            out.clear();
            sum += ProxyHeaderEncoder.encodeV1(parsed, out);
        }
        return sum;
    }

    private static void assertDone(final ProxyHeaderParser.Status status)
    {
        if (status != ProxyHeaderParser.Status.DONE)
        {
            assertEquals(ProxyHeaderParser.Status.DONE, status);
        }
    }

    private static ByteBuffer direct(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }
}
