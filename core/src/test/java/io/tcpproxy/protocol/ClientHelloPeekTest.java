package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static io.tcpproxy.protocol.ClientHelloPeek.Status.DONE;
import static io.tcpproxy.protocol.ClientHelloPeek.Status.MALFORMED;
import static io.tcpproxy.protocol.ClientHelloPeek.Status.NEED_MORE;
import static io.tcpproxy.protocol.ClientHelloPeek.Status.NOT_TLS;
import static io.tcpproxy.protocol.ClientHelloPeek.Status.TOO_LARGE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientHelloPeekTest
{
    private static final int LIMIT = 65536;

    private final ClientHelloPeek peek = new ClientHelloPeek(LIMIT);

    @Test
    void shouldReadTheNameAndAlpnOfARealJdkClientHello() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("api.example.com", "h2", "http/1.1");
        final ByteBuffer b = ByteBuffer.allocate(LIMIT).put(hello).flip();
        assertEquals(DONE, peek.peek(b));
        assertEquals("api.example.com", peek.serverNameString());
        assertEquals(List.of("h2", "http/1.1"), peek.alpnStrings());
        assertEquals(0, b.position());
        assertEquals(hello.length, b.limit());
    }

    @Test
    void shouldReadARealHelloFedOneByteAtATime() throws Exception
    {
        final byte[] hello = ClientHellos.fromJdk("db.internal.example", "postgresql");
        final ByteBuffer b = ByteBuffer.allocateDirect(LIMIT);
        for (int i = 0; i < hello.length; i++)
        {
            assertEquals(NEED_MORE, peek.peek(b.flip()), "after " + i + " bytes");
            b.limit(b.capacity()).position(i);
            b.put(hello[i]);
        }
        assertEquals(DONE, peek.peek(b.flip()));
        assertEquals("db.internal.example", peek.serverNameString());
        assertEquals(List.of("postgresql"), peek.alpnStrings());
    }

    @Test
    void shouldReassembleAHelloSplitAcrossTwoRecordsAtEveryOffset()
    {
        final byte[] handshake = ClientHellos.handshake("split.example.com", List.of("h2"), 0);
        for (int cut = 1; cut < handshake.length; cut++)
        {
            final byte[] records = ClientHellos.records(handshake, cut);
            assertEquals(handshake.length + 10, records.length);
            peek.reset(LIMIT);
            assertEquals(DONE, peek.peek(ByteBuffer.wrap(records)), "cut at " + cut);
            assertEquals("split.example.com", peek.serverNameString(), "cut at " + cut);
            assertEquals(List.of("h2"), peek.alpnStrings(), "cut at " + cut);
        }
        // and across many one-byte records
        final int[] everyByte = new int[handshake.length];
        for (int i = 0; i < everyByte.length; i++)
        {
            everyByte[i] = i + 1;
        }
        peek.reset(LIMIT);
        assertEquals(DONE, peek.peek(ByteBuffer.wrap(ClientHellos.records(handshake, everyByte))));
        assertEquals("split.example.com", peek.serverNameString());
    }

    @Test
    void shouldAcceptA20KibHelloWithinTheLimitAndRefuseOneOverIt()
    {
        final byte[] handshake = ClientHellos.handshake("big.example.com", List.of("h2", "http/1.1"), 20 * 1024);
        final byte[] records = ClientHellos.records(handshake);
        assertTrue(records.length > 20 * 1024);
        assertEquals(DONE, peek.peek(ByteBuffer.wrap(records).limit(records.length).slice()));
        assertEquals("big.example.com", peek.serverNameString());
        assertEquals(List.of("h2", "http/1.1"), peek.alpnStrings());
        // fed in 1,000-byte segments
        peek.reset(LIMIT);
        final ByteBuffer b = ByteBuffer.allocate(LIMIT);
        for (int from = 0; from < records.length; from += 1000)
        {
            assertEquals(NEED_MORE, peek.peek(b.duplicate().flip()));
            b.put(records, from, Math.min(1000, records.length - from));
        }
        assertEquals(DONE, peek.peek(b.flip()));
        // one over the limit: told as soon as the handshake header shows the size, before the rest arrives
        peek.reset(records.length - 1);
        assertEquals(TOO_LARGE, peek.peek(ByteBuffer.wrap(records, 0, 9).slice()));
        peek.reset(records.length);
        assertEquals(DONE, peek.peek(ByteBuffer.wrap(records)), "exactly the limit fits");
        // a receive buffer smaller than the hello can never hold it
        peek.reset(LIMIT);
        assertEquals(TOO_LARGE, peek.peek(ByteBuffer.allocate(16384).put(records, 0, 16384).flip()));
    }

    @Test
    void shouldSayNotTlsAtTheFirstByteThatShowsIt()
    {
        assertEquals(NOT_TLS, peek.peek(ascii("G")));
        assertEquals(NOT_TLS, peek.reset(LIMIT).peek(ascii("SSH-2.0-OpenSSH_9.6\r\n")));
        assertEquals(NOT_TLS, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {22, 2})));
        assertEquals(NOT_TLS, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {22, 3, 9})));
        assertEquals(NOT_TLS, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {(byte)0x80, 0x2e, 1, 3, 1})),
            "SSLv2-style hello");
        assertEquals(NEED_MORE, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {22, 3, 1, 0})));
        assertEquals(NOT_TLS, peek.peek(ascii("PROXY TCP4")), "a final status sticks until reset");
    }

    @Test
    void shouldRefuseMalformedRecordsAndHandshakes()
    {
        final byte[] handshake = ClientHellos.handshake("x.example", null, 0);
        final byte[] records = ClientHellos.records(handshake, 10);
        // an empty record, an oversized record, a second record of another type, a non-hello handshake
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {22, 3, 1, 0, 0})));
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(new byte[] {22, 3, 1, 0x40, 0x01})));
        final byte[] alert = records.clone();
        alert[5 + 10] = 21;
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(alert)));
        final byte[] serverHello = records.clone();
        serverHello[5] = 2;
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(serverHello).limit(6)));
        // two server_name extensions
        final byte[] twice = ClientHellos.handshake("a.example", null, 0);
        final byte[] doubled = withExtraExtension(twice, new byte[] {0, 0, 0, 6, 0, 4, 0, 0, 1, 'b'});
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(doubled))));
        // a host name with a NUL or a space
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(
            ClientHellos.handshake("evil\u0000.example", null, 0)))));
    }

    @Test
    void shouldAcceptAHelloWithoutExtensionsOrWithoutNameAndAlpn()
    {
        assertEquals(DONE, peek.peek(ByteBuffer.wrap(ClientHellos.records(ClientHellos.handshake(null, null, 0)))));
        assertFalse(peek.hasServerName());
        assertNull(peek.serverNameString());
        assertEquals(0, peek.alpnCount());
        final byte[] noExtensions = ClientHellos.message(body(ClientHellos.handshake(null, null, 0), true));
        assertEquals(DONE, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(noExtensions))));
        assertFalse(peek.hasServerName());
    }

    @Test
    void shouldRefuseEveryTruncationOfTheHelloExceptBeforeItsExtensions()
    {
        final byte[] handshake = ClientHellos.handshake("t.example.com", List.of("h2", "http/1.1"), 7);
        final byte[] body = java.util.Arrays.copyOfRange(handshake, 4, handshake.length);
        final int extensionsAt = body(handshake, true).length;
        for (int length = 0; length < body.length; length++)
        {
            final byte[] truncated = ClientHellos.message(java.util.Arrays.copyOf(body, length));
            peek.reset(LIMIT);
            final ClientHelloPeek.Status status = peek.peek(ByteBuffer.wrap(ClientHellos.records(truncated)));
            assertEquals(length == extensionsAt ? DONE : MALFORMED, status, "body truncated to " + length);
        }
    }

    @Test
    void shouldRefuseEveryLengthFieldOneTooLongOrOneTooShort()
    {
        final byte[] handshake = ClientHellos.handshake("t.example.com", List.of("h2", "http/1.1"), 0);
        // offsets in the hand-made layout: session id, cipher suites, compression, extensions, supported_versions
        // length (its content is opaque to the peek), server_name extension / list / name lengths, ALPN extension /
        // list / first protocol
        final int alpnAt = 99 + "t.example.com".length();
        final int[][] fields = {{38, 1}, {71, 2}, {77, 1}, {79, 2}, {83, 2}, {92, 2}, {94, 2}, {97, 2},
            {alpnAt + 2, 2}, {alpnAt + 4, 2}, {alpnAt + 6, 1}};
        assertEquals(16, (handshake[alpnAt] << 8) | handshake[alpnAt + 1], "the layout the offsets assume");
        assertEquals(DONE, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(handshake))));
        for (final int[] field : fields)
        {
            for (final int delta : new int[] {1, -1})
            {
                final byte[] changed = handshake.clone();
                final int at = field[0];
                if (field[1] == 1)
                {
                    changed[at] = (byte)(changed[at] + delta);
                }
                else
                {
                    final int value = ((changed[at] & 0xFF) << 8 | (changed[at + 1] & 0xFF)) + delta;
                    changed[at] = (byte)(value >>> 8);
                    changed[at + 1] = (byte)value;
                }
                assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(changed))),
                    "length at " + at + " changed by " + delta);
            }
        }
        // the handshake length: one too short cuts the extensions; one too long waits for a byte that never comes
        final byte[] shorter = handshake.clone();
        shorter[3]--;
        assertEquals(MALFORMED, peek.reset(LIMIT).peek(ByteBuffer.wrap(ClientHellos.records(shorter))));
        final byte[] longer = handshake.clone();
        longer[3]++;
        assertEquals(NEED_MORE, peek.reset(LIMIT).peek(ByteBuffer.allocate(4096).put(ClientHellos.records(longer))
            .flip()));
    }

    @Test
    void shouldSurviveRandomMutationsWithTheSameResultAtEverySplit() throws Exception
    {
        final long seed = Long.getLong("clientHello.seed", 0xC11E47L);
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[][] bases = {
            ClientHellos.fromJdk("api.example.com", "h2", "http/1.1"),
            ClientHellos.records(ClientHellos.handshake("m.example.com", List.of("h2"), 0), 40, 41, 100),
            ClientHellos.records(ClientHellos.handshake("p.example.com", null, 300)),
        };
        final ClientHelloPeek whole = new ClientHelloPeek(4096);
        final ClientHelloPeek split = new ClientHelloPeek(4096);
        int done = 0;
        for (int n = 0; n < 1_500; n++)
        {
            final byte[] bytes = bases[random.nextInt(bases.length)].clone();
            final int mutations = random.nextInt(1, 4);
            for (int m = 0; m < mutations; m++)
            {
                final int at = random.nextInt(bytes.length);
                bytes[at] = (byte)(random.nextInt(3) == 0 ? bytes[at] + (random.nextBoolean() ? 1 : -1) :
                    random.nextInt(256));
            }
            final int length = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : bytes.length;
            final String context = "seed " + seed + " case " + n;
            final ByteBuffer b = ByteBuffer.allocate(8192).put(bytes, 0, length).flip();
            final ClientHelloPeek.Status expected = safely(whole.reset(4096), b, context);
            if (expected == DONE)
            {
                done++;
            }
            // fed byte by byte into one peek: the first final status is the unsplit one
            split.reset(4096);
            ClientHelloPeek.Status status = NEED_MORE;
            for (int k = 0; k <= length && status == NEED_MORE; k++)
            {
                status = safely(split, b.duplicate().limit(k), context + " at " + k);
            }
            assertEquals(expected, status, context);
            if (expected == DONE)
            {
                assertEquals(whole.serverNameString(), split.serverNameString(), context);
                assertEquals(whole.alpnStrings(), split.alpnStrings(), context);
            }
            if (expected != NEED_MORE)
            {
                // bytes after what decided it (the client's next records, or junk) change nothing
                final ByteBuffer longer = ByteBuffer.allocate(8192).put(bytes, 0, length)
                    .put(ClientHelloPeekTest.randomBytes(random, 64)).flip();
                assertEquals(expected, safely(whole.reset(4096), longer, context + " with trailing bytes"));
            }
        }
        assertTrue(done > 0, "some mutations leave a valid hello");
    }

    private static ClientHelloPeek.Status safely(final ClientHelloPeek peek, final ByteBuffer b, final String context)
    {
        try
        {
            final int position = b.position();
            final int limit = b.limit();
            final ClientHelloPeek.Status status = peek.peek(b);
            assertEquals(position, b.position(), context);
            assertEquals(limit, b.limit(), context);
            return status;
        }
        catch (final RuntimeException e)
        {
            throw new AssertionError("exception escaped: " + context, e);
        }
    }

    /** The body of a hand-made hello (without the 4-byte header); with cutAtExtensions, up to its extensions. */
    private static byte[] body(final byte[] handshake, final boolean cutAtExtensions)
    {
        final int fixed = 2 + 32 + 1 + 32 + 2 + 4 + 1 + 1;
        return java.util.Arrays.copyOfRange(handshake, 4, cutAtExtensions ? 4 + fixed : handshake.length);
    }

    private static byte[] withExtraExtension(final byte[] handshake, final byte[] extension)
    {
        final byte[] body = body(handshake, false);
        final int extensionsAt = body(handshake, true).length;
        final byte[] grown = new byte[body.length + extension.length];
        System.arraycopy(body, 0, grown, 0, body.length);
        System.arraycopy(extension, 0, grown, body.length, extension.length);
        final int extensionsLength = ((grown[extensionsAt] & 0xFF) << 8 | (grown[extensionsAt + 1] & 0xFF)) +
            extension.length;
        grown[extensionsAt] = (byte)(extensionsLength >>> 8);
        grown[extensionsAt + 1] = (byte)extensionsLength;
        return ClientHellos.message(grown);
    }

    private static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    private static ByteBuffer ascii(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
