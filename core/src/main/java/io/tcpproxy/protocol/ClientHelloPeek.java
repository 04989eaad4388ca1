package io.tcpproxy.protocol;

import java.nio.ByteBuffer;

/**
 * Reads a TLS ClientHello from the bytes a client has sent so far, without consuming them, to learn the server name
 * (SNI) and the ALPN protocols it asks for: the first step of routing TLS by name without terminating it.
 * <p>
 * One instance per connection in its preamble (or one per worker, {@link #reset} per connection): it keeps a few
 * ints of progress so each call only looks at the bytes that are new, and copies the name and the ALPN list into
 * arrays it owns. Call {@link #peek} with the same buffer (first byte at its position) each time more bytes arrived;
 * it reads with absolute gets and changes neither position nor limit, so the bytes can be sent on unchanged.
 * <p>
 * It walks the TLS record headers, reassembles the handshake message across TCP segments and across TLS records, and
 * parses the ClientHello only once all of it is there, checking every length against its enclosing one. Allocates
 * nothing.
 */
public final class ClientHelloPeek
{
    /** The outcome of one call. */
    public enum Status
    {
        /** The hello is not complete yet: read more and call again. */
        NEED_MORE,
        /** A complete, well-formed ClientHello; {@link #hasServerName()} and the ALPN accessors are set. */
        DONE,
        /** The first bytes are not a TLS handshake record (close reason {@code tls_not_tls}). */
        NOT_TLS,
        /** A TLS handshake that breaks the record or ClientHello rules (close reason {@code tls_malformed}). */
        MALFORMED,
        /** The hello does not fit in the limit (close reason {@code tls_too_large}). */
        TOO_LARGE
    }

    /** The longest server name kept: a DNS name is at most 253 characters, 255 bytes with a trailing dot. */
    public static final int MAX_SERVER_NAME_BYTES = 255;
    /** The most ALPN protocols kept; protocols past this many are ignored. */
    public static final int MAX_ALPN_PROTOCOLS = 16;

    private static final int RECORD_HEADER_BYTES = HandshakeCursor.RECORD_HEADER_BYTES;
    private static final int HANDSHAKE_HEADER_BYTES = 4;
    private static final int MAX_RECORD_PAYLOAD_BYTES = 1 << 14;
    private static final int CONTENT_TYPE_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int EXTENSION_SERVER_NAME = 0;
    private static final int EXTENSION_ALPN = 16;

    private final HelloNames names = new HelloNames();
    private final HandshakeCursor in = new HandshakeCursor();
    private int maxBytes;
    private Status status;
    private int nextRecordAt;
    private int handshakeBytesInRecords;
    private int handshakeLength;

    /**
     * @param maxBytes the largest hello accepted, TLS record headers included ({@code sni_peek_max_bytes}).
     */
    public ClientHelloPeek(final int maxBytes)
    {
        reset(maxBytes);
    }

    /**
     * Forget the last connection.
     *
     * @param maxBytes the largest hello accepted, TLS record headers included.
     * @return this.
     */
    public ClientHelloPeek reset(final int maxBytes)
    {
        if (maxBytes < RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES)
        {
            throw new IllegalArgumentException("the ClientHello limit must be at least 9 bytes, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        status = Status.NEED_MORE;
        nextRecordAt = 0;
        handshakeBytesInRecords = 0;
        handshakeLength = -1;
        names.reset();
        return this;
    }

    /**
     * Look at what has arrived.
     *
     * @param received the connection's bytes from its first (at position) to the last received (limit).
     * @return NEED_MORE, or a final status that later calls repeat.
     */
    public Status peek(final ByteBuffer received)
    {
        if (status == Status.NEED_MORE)
        {
            status = scan(received);
        }
        return status;
    }

    /** @return the last status returned. */
    public Status status()
    {
        return status;
    }

    /** @return true after DONE when the hello named a host ({@code server_name} with a {@code host_name}). */
    public boolean hasServerName()
    {
        return names.serverNameLength > 0;
    }

    /** @return the host name bytes as sent (ASCII, case as sent); the first {@link #serverNameLength()} are valid. */
    public byte[] serverName()
    {
        return names.serverName;
    }

    /** @return the host name's length, 0 when there is none. */
    public int serverNameLength()
    {
        return Math.max(names.serverNameLength, 0);
    }

    /** @return how many ALPN protocols the hello offered (at most {@link #MAX_ALPN_PROTOCOLS}). */
    public int alpnCount()
    {
        return names.alpnCount;
    }

    /** @return the bytes holding the ALPN protocol names; see {@link #alpnOffset} and {@link #alpnLength}. */
    public byte[] alpnBytes()
    {
        return names.alpnBytes;
    }

    /**
     * @param i 0..alpnCount - 1, in the client's order of preference.
     * @return where protocol i starts in {@link #alpnBytes()}.
     */
    public int alpnOffset(final int i)
    {
        return names.alpnOffsets[i];
    }

    /**
     * @param i 0..alpnCount - 1.
     * @return the length of protocol i.
     */
    public int alpnLength(final int i)
    {
        return names.alpnLengths[i];
    }

    /** @return the server name as a String (allocates; for logs and tests), or null. */
    public String serverNameString()
    {
        return hasServerName() ?
            new String(names.serverName, 0, names.serverNameLength, java.nio.charset.StandardCharsets.ISO_8859_1) :
            null;
    }

    /** @return the ALPN protocols as Strings (allocates; for logs and tests). */
    public java.util.List<String> alpnStrings()
    {
        final java.util.List<String> protocols = new java.util.ArrayList<>(names.alpnCount);
        for (int i = 0; i < names.alpnCount; i++)
        {
            protocols.add(new String(names.alpnBytes, names.alpnOffsets[i], names.alpnLengths[i],
                java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return protocols;
    }

    private Status scan(final ByteBuffer b)
    {
        final int start = b.position();
        final int available = b.limit() - start;
        final int limit = Math.min(maxBytes, b.capacity() - start);
        while (true)
        {
            final int at = start + nextRecordAt;
            final int headerAvailable = Math.min(RECORD_HEADER_BYTES, available - nextRecordAt);
            final boolean first = nextRecordAt == 0;
            // the record header, judged byte by byte so a non-TLS client is told at its first byte
            if (headerAvailable >= 1 && (b.get(at) & 0xFF) != CONTENT_TYPE_HANDSHAKE)
            {
                return first ? Status.NOT_TLS : Status.MALFORMED;
            }
            if (headerAvailable >= 2 && b.get(at + 1) != 3)
            {
                return first ? Status.NOT_TLS : Status.MALFORMED;
            }
            if (headerAvailable >= 3 && (b.get(at + 2) & 0xFF) > 4)
            {
                return first ? Status.NOT_TLS : Status.MALFORMED;
            }
            if (headerAvailable < RECORD_HEADER_BYTES)
            {
                return Status.NEED_MORE;
            }
            final int recordLength = b.getShort(at + 3) & 0xFFFF;
            if (recordLength == 0 || recordLength > MAX_RECORD_PAYLOAD_BYTES)
            {
                return Status.MALFORMED;
            }
            if (nextRecordAt + RECORD_HEADER_BYTES + recordLength > limit)
            {
                return Status.TOO_LARGE;
            }
            if (first && recordLength >= HANDSHAKE_HEADER_BYTES && available >= 9)
            {
                // the usual case: the handshake header in the first record tells the size before the rest arrives
                final Status early = checkHandshakeHeader(b.get(at + 5) & 0xFF, uint24(b, at + 6), limit);
                if (early != null)
                {
                    return early;
                }
            }
            else if (first && available >= 6 && (b.get(at + 5) & 0xFF) != HANDSHAKE_CLIENT_HELLO)
            {
                return Status.MALFORMED;
            }
            if (available - nextRecordAt < RECORD_HEADER_BYTES + recordLength)
            {
                return Status.NEED_MORE;
            }
            nextRecordAt += RECORD_HEADER_BYTES + recordLength;
            handshakeBytesInRecords += recordLength;
            if (handshakeLength < 0 && handshakeBytesInRecords >= HANDSHAKE_HEADER_BYTES)
            {
                in.start(b, start);
                final int type = in.nextByte();
                final int length = in.nextByte() << 16 | in.nextByte() << 8 | in.nextByte();
                final Status checked = checkHandshakeHeader(type, length, limit);
                if (checked != null)
                {
                    return checked;
                }
                handshakeLength = length;
            }
            if (handshakeLength >= 0 && handshakeBytesInRecords >= HANDSHAKE_HEADER_BYTES + handshakeLength)
            {
                return parseClientHello(b, start);
            }
        }
    }

    private static Status checkHandshakeHeader(final int type, final int length, final int limit)
    {
        if (type != HANDSHAKE_CLIENT_HELLO)
        {
            return Status.MALFORMED;
        }
        if (RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES + (long)length > limit)
        {
            return Status.TOO_LARGE;
        }
        return null;
    }

    private Status parseClientHello(final ByteBuffer b, final int start)
    {
        in.start(b, start);
        in.skip(HANDSHAKE_HEADER_BYTES);
        int left = handshakeLength;
        // legacy_version, random
        if (left < 2 + 32 + 1)
        {
            return Status.MALFORMED;
        }
        in.skip(34);
        left -= 34;
        final int sessionIdLength = in.nextByte();
        left--;
        if (sessionIdLength > 32 || sessionIdLength > left)
        {
            return Status.MALFORMED;
        }
        in.skip(sessionIdLength);
        left -= sessionIdLength;
        if (left < 2)
        {
            return Status.MALFORMED;
        }
        final int cipherSuitesLength = in.uint16();
        left -= 2;
        if (cipherSuitesLength < 2 || (cipherSuitesLength & 1) != 0 || cipherSuitesLength > left)
        {
            return Status.MALFORMED;
        }
        in.skip(cipherSuitesLength);
        left -= cipherSuitesLength;
        if (left < 1)
        {
            return Status.MALFORMED;
        }
        final int compressionLength = in.nextByte();
        left--;
        if (compressionLength < 1 || compressionLength > left)
        {
            return Status.MALFORMED;
        }
        in.skip(compressionLength);
        left -= compressionLength;
        if (left == 0)
        {
            return Status.DONE;
        }
        if (left < 2)
        {
            return Status.MALFORMED;
        }
        final int extensionsLength = in.uint16();
        left -= 2;
        if (extensionsLength != left)
        {
            return Status.MALFORMED;
        }
        while (left > 0)
        {
            if (left < 4)
            {
                return Status.MALFORMED;
            }
            final int type = in.uint16();
            final int length = in.uint16();
            left -= 4;
            if (length > left)
            {
                return Status.MALFORMED;
            }
            left -= length;
            final Status extension;
            if (type == EXTENSION_SERVER_NAME)
            {
                extension = names.serverNameLength >= 0 ? Status.MALFORMED : names.parseServerName(in, length);
            }
            else if (type == EXTENSION_ALPN)
            {
                extension = names.alpnSeen ? Status.MALFORMED : names.parseAlpn(in, length);
            }
            else
            {
                in.skip(length);
                extension = null;
            }
            if (extension != null)
            {
                return extension;
            }
        }
        return Status.DONE;
    }

    private static int uint24(final ByteBuffer b, final int at)
    {
        return (b.get(at) & 0xFF) << 16 | (b.get(at + 1) & 0xFF) << 8 | (b.get(at + 2) & 0xFF);
    }
}
