package io.tcpproxy.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static io.tcpproxy.protocol.ProxyHeaderParser.Status.DONE;
import static io.tcpproxy.protocol.ProxyHeaderParser.Status.ERROR;
import static io.tcpproxy.protocol.ProxyHeaderParser.Status.NEED_MORE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated headers from a seeded generator (the seed is in every failure message): split at every byte
 * boundary the parser reaches the unsplit result, nothing escapes, and it never needs a byte past the header.
 */
class ProxyHeaderPropertyTest
{
    private static final long SEED = Long.getLong("proxyHeader.seed", 0x5EED_1234L);
    private static final int CASES = 3_000;
    private static final int CAPACITY = ProxyHeaderParser.MAX_V2_BYTES + 64;

    private final ProxyHeader header = new ProxyHeader();
    private final ProxyHeader unsplit = new ProxyHeader();

    @Test
    void shouldRoundTripRandomHeadersThroughTheEncoderAndTheParser()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        final ByteBuffer wire = ByteBuffer.allocateDirect(CAPACITY);
        final ProxyHeader sent = new ProxyHeader();
        for (int n = 0; n < CASES; n++)
        {
            final boolean v2 = random.nextBoolean();
            randomHeader(random, sent, v2);
            wire.clear();
            final int written;
            if (v2)
            {
                final int start = ProxyHeaderEncoder.encodeV2(sent, wire);
                if (random.nextInt(3) == 0)
                {
                    ProxyHeaderEncoder.appendTlv(wire, start, ProxyHeaderEncoder.PP2_TYPE_UNIQUE_ID,
                        ByteBuffer.wrap(randomBytes(random, random.nextInt(0, 40))));
                }
                written = wire.position() - start;
            }
            else
            {
                written = ProxyHeaderEncoder.encodeV1(sent, wire);
                assertTrue(written <= ProxyHeaderParser.MAX_V1_BYTES);
            }
            wire.flip();
            final String context = "seed " + SEED + " case " + n + " " + sent;
            assertEquals(DONE, ProxyHeaderParser.parse(wire, header), context + " " + header.error());
            assertEquals(written, header.headerBytes(), context);
            assertEquals(v2 ? 2 : 1, header.version(), context);
            if (sent.command() == ProxyHeader.Command.LOCAL)
            {
                assertEquals(v2 ? ProxyHeader.Command.LOCAL : ProxyHeader.Command.PROXY, header.command());
                assertEquals(v2 ? ProxyHeader.Family.UNSPEC : ProxyHeader.Family.UNKNOWN, header.family());
                continue;
            }
            assertEquals(sent.family(), header.family(), context);
            final int addressBytes = sent.addressBytes();
            assertArrayEquals(Arrays.copyOf(sent.sourceAddress(), addressBytes),
                Arrays.copyOf(header.sourceAddress(), addressBytes), context);
            assertArrayEquals(Arrays.copyOf(sent.destinationAddress(), addressBytes),
                Arrays.copyOf(header.destinationAddress(), addressBytes), context);
            assertEquals(sent.sourcePort(), header.sourcePort(), context);
            assertEquals(sent.destinationPort(), header.destinationPort(), context);
            if (v2)
            {
                header.saveTlvs(wire);
                assertTrue(header.savedTlvBytes() >= sent.savedTlvBytes());
                assertArrayEquals(Arrays.copyOf(sent.savedTlvs(), sent.savedTlvBytes()),
                    Arrays.copyOf(header.savedTlvs(), sent.savedTlvBytes()), context);
            }
        }
    }

    @Test
    void shouldReachTheUnsplitResultAtEverySplitOfRandomAndMutatedHeaders()
    {
        final SplittableRandom random = new SplittableRandom(SEED + 1);
        final ByteBuffer wire = ByteBuffer.allocate(CAPACITY);
        final ProxyHeader sent = new ProxyHeader();
        int done = 0;
        int errors = 0;
        for (int n = 0; n < CASES; n++)
        {
            wire.clear();
            final int kind = random.nextInt(4);
            if (kind == 0)
            {
                wire.put(randomBytes(random, random.nextInt(0, 120)));
            }
            else
            {
                final boolean v2 = random.nextBoolean();
                randomHeader(random, sent, v2);
                if (v2)
                {
                    ProxyHeaderEncoder.encodeV2(sent, wire);
                }
                else
                {
                    ProxyHeaderEncoder.encodeV1(sent, wire);
                }
                wire.put(randomBytes(random, random.nextInt(0, 20)));
                if (kind >= 2)
                {
                    mutate(random, wire);
                }
            }
            wire.flip();
            final byte[] bytes = new byte[wire.remaining()];
            wire.get(0, bytes);
            final String context = "seed " + (SEED + 1) + " case " + n + " bytes " + Arrays.toString(bytes);
            final ProxyHeaderParser.Status expected = parseSafely(wire, unsplit, context);
            if (expected == DONE)
            {
                done++;
                // never needs a byte past the header: the header alone parses the same
                final ByteBuffer exact = wire.duplicate().limit(unsplit.headerBytes());
                assertEquals(DONE, parseSafely(exact, header, context), context);
                assertSame(unsplit, header, context);
            }
            else if (expected == ERROR)
            {
                errors++;
            }
            // split at every boundary: the first part may say NEED_MORE, otherwise what the whole says
            ProxyHeaderParser.Status first = NEED_MORE;
            int decidedAt = -1;
            for (int k = 0; k <= bytes.length; k++)
            {
                final ByteBuffer prefix = wire.duplicate().limit(k);
                final ProxyHeaderParser.Status status = parseSafely(prefix, header, context + " split " + k);
                if (status != NEED_MORE)
                {
                    assertEquals(expected, status, context + " split " + k);
                    assertSame(unsplit, header, context + " split " + k);
                    if (decidedAt < 0)
                    {
                        decidedAt = k;
                        first = status;
                    }
                }
                else if (decidedAt >= 0)
                {
                    fail("NEED_MORE after " + first + " at " + decidedAt + ": " + context + " split " + k);
                }
            }
            assertEquals(expected, first, context);
        }
        assertTrue(done > CASES / 10, "the generator makes valid headers too: " + done);
        assertTrue(errors > CASES / 10, "and invalid ones: " + errors);
    }

    private static ProxyHeaderParser.Status parseSafely(final ByteBuffer b, final ProxyHeader out,
        final String context)
    {
        final int position = b.position();
        final int limit = b.limit();
        try
        {
            final ProxyHeaderParser.Status status = ProxyHeaderParser.parse(b, out);
            assertEquals(position, b.position(), context);
            assertEquals(limit, b.limit(), context);
            if (status == DONE)
            {
                assertTrue(out.headerBytes() <= limit - position, context);
            }
            return status;
        }
        catch (final RuntimeException e)
        {
            throw new AssertionError("exception escaped: " + context, e);
        }
    }

    private static void assertSame(final ProxyHeader expected, final ProxyHeader actual, final String context)
    {
        assertEquals(expected.error(), actual.error(), context);
        if (expected.error() != ProxyHeaderError.NONE)
        {
            return;
        }
        assertEquals(expected.toString(), actual.toString(), context);
        assertEquals(expected.tlvOffset(), actual.tlvOffset(), context);
    }

    static void randomHeader(final SplittableRandom random, final ProxyHeader h, final boolean v2)
    {
        h.clear();
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            h.setLocal();
        }
        else
        {
            final boolean mixed = kind == 1;
            final byte[] source = randomBytes(random, random.nextBoolean() ? 4 : 16);
            final byte[] destination = mixed ? randomBytes(random, source.length == 4 ? 16 : 4) :
                randomBytes(random, source.length);
            if (random.nextInt(4) == 0)
            {
                // runs of zero groups exercise the :: forms
                Arrays.fill(source, random.nextInt(source.length), source.length, (byte)0);
            }
            h.setAddresses(source, random.nextInt(0, 65536), destination, random.nextInt(0, 65536));
        }
        if (v2 && random.nextBoolean())
        {
            final ByteBuffer tlvs = ByteBuffer.allocate(600);
            final int count = random.nextInt(1, 5);
            for (int i = 0; i < count; i++)
            {
                final byte[] value = randomBytes(random, random.nextInt(0, 100));
                tlvs.put((byte)random.nextInt(256)).putShort((short)value.length).put(value);
            }
            h.setSavedTlvs(tlvs.array(), 0, tlvs.position());
        }
    }

    private static void mutate(final SplittableRandom random, final ByteBuffer wire)
    {
        final int length = wire.position();
        if (length == 0)
        {
            return;
        }
        final int mutations = random.nextInt(1, 4);
        for (int m = 0; m < mutations && wire.position() > 0; m++)
        {
            final int at = random.nextInt(wire.position());
            switch (random.nextInt(4))
            {
                case 0:
                    wire.put(at, (byte)random.nextInt(256));
                    break;
                case 1:
                    wire.put(at, (byte)(wire.get(at) ^ (1 << random.nextInt(8))));
                    break;
                case 2:
                    // truncate
                    wire.position(at);
                    break;
                default:
                    // a length field or digit nudged by one
                    wire.put(at, (byte)(wire.get(at) + (random.nextBoolean() ? 1 : -1)));
                    break;
            }
        }
    }

    static byte[] randomBytes(final SplittableRandom random, final int length)
    {
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++)
        {
            b[i] = (byte)random.nextInt(256);
        }
        return b;
    }
}
