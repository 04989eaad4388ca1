package io.tcpproxy.protocol;

import io.tcpproxy.protocol.ClientHelloPeek.Status;

/**
 * The names a ClientHello carries, copied into arrays owned here: the {@code host_name} of the {@code server_name}
 * extension and the protocols of the ALPN extension, each parsed with every length checked against its enclosing
 * one. Reused across connections ({@link #reset}); allocates nothing.
 */
final class HelloNames
{
    static final int MAX_ALPN_BYTES = 1024;

    private static final int NAME_TYPE_HOST_NAME = 0;

    final byte[] serverName = new byte[ClientHelloPeek.MAX_SERVER_NAME_BYTES];
    final byte[] alpnBytes = new byte[MAX_ALPN_BYTES];
    final int[] alpnOffsets = new int[ClientHelloPeek.MAX_ALPN_PROTOCOLS];
    final int[] alpnLengths = new int[ClientHelloPeek.MAX_ALPN_PROTOCOLS];
    /** -1 until a {@code server_name} extension was read, then the host name's length (0: none in it). */
    int serverNameLength = -1;
    int alpnCount;
    int alpnBytesUsed;
    boolean alpnSeen;

    void reset()
    {
        serverNameLength = -1;
        alpnCount = 0;
        alpnBytesUsed = 0;
        alpnSeen = false;
    }

    /**
     * Reads a {@code server_name} extension's body: exactly {@code length} bytes on success.
     *
     * @return null to go on, or MALFORMED.
     */
    Status parseServerName(final HandshakeCursor in, final int length)
    {
        if (length < 2)
        {
            return Status.MALFORMED;
        }
        final int listLength = in.uint16();
        if (listLength != length - 2 || listLength < 3)
        {
            return Status.MALFORMED;
        }
        serverNameLength = 0;
        int left = listLength;
        while (left > 0)
        {
            if (left < 3)
            {
                return Status.MALFORMED;
            }
            final int nameType = in.nextByte();
            final int nameLength = in.uint16();
            left -= 3;
            if (nameLength > left)
            {
                return Status.MALFORMED;
            }
            left -= nameLength;
            if (nameType == NAME_TYPE_HOST_NAME)
            {
                // RFC 6066: at most one name of each type
                if (serverNameLength > 0 || nameLength == 0 || nameLength > ClientHelloPeek.MAX_SERVER_NAME_BYTES)
                {
                    return Status.MALFORMED;
                }
                for (int i = 0; i < nameLength; i++)
                {
                    final int c = in.nextByte();
                    if (c <= 0x20 || c >= 0x7F)
                    {
                        return Status.MALFORMED;
                    }
                    serverName[i] = (byte)c;
                }
                serverNameLength = nameLength;
            }
            else
            {
                in.skip(nameLength);
            }
        }
        return null;
    }

    /**
     * Reads an ALPN extension's body: exactly {@code length} bytes on success; keeps the first
     * {@link ClientHelloPeek#MAX_ALPN_PROTOCOLS} protocols that fit.
     *
     * @return null to go on, or MALFORMED.
     */
    Status parseAlpn(final HandshakeCursor in, final int length)
    {
        if (length < 2)
        {
            return Status.MALFORMED;
        }
        final int listLength = in.uint16();
        if (listLength != length - 2 || listLength < 2)
        {
            return Status.MALFORMED;
        }
        alpnSeen = true;
        int left = listLength;
        while (left > 0)
        {
            final int protocolLength = in.nextByte();
            left--;
            if (protocolLength == 0 || protocolLength > left)
            {
                return Status.MALFORMED;
            }
            left -= protocolLength;
            if (alpnCount < ClientHelloPeek.MAX_ALPN_PROTOCOLS && alpnBytesUsed + protocolLength <= MAX_ALPN_BYTES)
            {
                alpnOffsets[alpnCount] = alpnBytesUsed;
                alpnLengths[alpnCount] = protocolLength;
                alpnCount++;
                for (int i = 0; i < protocolLength; i++)
                {
                    alpnBytes[alpnBytesUsed++] = (byte)in.nextByte();
                }
            }
            else
            {
                in.skip(protocolLength);
            }
        }
        return null;
    }
}
