package io.tcpproxy.protocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One PROXY protocol header's content, reused across connections: filled by {@link ProxyHeaderParser#parse} and read
 * by {@link ProxyHeaderEncoder}. Addresses are kept as bytes (4 for TCP4, 16 for TCP6) in arrays owned by this object;
 * {@link #addressBytes()} says how many are valid. Not thread-safe: one per connection in its preamble, or one per
 * worker reused. To send with the socket's addresses: {@code clear().setAddresses(peer, local)}; to send on what was
 * received: parse, then {@link #saveTlvs} before the receive buffer is reused (a parse forgets earlier saved TLVs).
 */
public final class ProxyHeader
{
    /** The v2 command. v1 headers are always {@link #PROXY}. */
    public enum Command
    {
        /** The connection was made by the proxy in front itself (a health check): use the socket's addresses. */
        LOCAL,
        /** The connection is relayed on behalf of the client named in the header. */
        PROXY
    }

    /** The address family carried. */
    public enum Family
    {
        /** TCP over IPv4: 4-byte addresses and ports are valid. */
        TCP4,
        /** TCP over IPv6: 16-byte addresses and ports are valid. */
        TCP6,
        /** v2 UNSPEC (always so for LOCAL): no addresses; use the socket's. */
        UNSPEC,
        /** v1 UNKNOWN, or a v2 family/transport a TCP proxy does not carry (UNIX, UDP): use the socket's. */
        UNKNOWN
    }

    private static final int INITIAL_TLV_BYTES = 256;

    private final byte[] sourceAddress = new byte[16];
    private final byte[] destinationAddress = new byte[16];
    private int version;
    private Command command = Command.PROXY;
    private Family family = Family.UNSPEC;
    private int sourcePort;
    private int destinationPort;
    private int headerBytes;
    private int tlvOffset;
    private int tlvBytes;
    private ProxyHeaderError error = ProxyHeaderError.NONE;
    private byte[] savedTlvs = new byte[INITIAL_TLV_BYTES];
    private int savedTlvBytes;

    /**
     * Forget everything: version 0, PROXY, UNSPEC, no TLVs, no error.
     *
     * @return this.
     */
    public ProxyHeader clear()
    {
        version = 0;
        command = Command.PROXY;
        family = Family.UNSPEC;
        sourcePort = 0;
        destinationPort = 0;
        headerBytes = 0;
        tlvOffset = 0;
        tlvBytes = 0;
        error = ProxyHeaderError.NONE;
        savedTlvBytes = 0;
        Arrays.fill(sourceAddress, (byte)0);
        Arrays.fill(destinationAddress, (byte)0);
        return this;
    }

    /**
     * Set a PROXY command with these endpoints, for sending. When one address is IPv4 and the other IPv6, the IPv4
     * one is written as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) so the header has one family.
     *
     * @param source          4 or 16 bytes.
     * @param sourcePort      0..65535.
     * @param destination     4 or 16 bytes.
     * @param destinationPort 0..65535.
     * @return this.
     * @throws IllegalArgumentException on another address length or a port out of range.
     */
    public ProxyHeader setAddresses(final byte[] source, final int sourcePort, final byte[] destination,
        final int destinationPort)
    {
        checkAddress(source);
        checkAddress(destination);
        checkPort(sourcePort);
        checkPort(destinationPort);
        command = Command.PROXY;
        if (source.length == 4 && destination.length == 4)
        {
            family = Family.TCP4;
            System.arraycopy(source, 0, sourceAddress, 0, 4);
            System.arraycopy(destination, 0, destinationAddress, 0, 4);
        }
        else
        {
            family = Family.TCP6;
            toIpv6(source, sourceAddress);
            toIpv6(destination, destinationAddress);
        }
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        return this;
    }

    /**
     * Set a PROXY command from socket addresses (allocates: {@link InetAddress#getAddress()} copies).
     *
     * @param source      the client as the socket sees it.
     * @param destination the proxy's local address for that connection.
     * @return this.
     */
    public ProxyHeader setAddresses(final InetSocketAddress source, final InetSocketAddress destination)
    {
        return setAddresses(source.getAddress().getAddress(), source.getPort(),
            destination.getAddress().getAddress(), destination.getPort());
    }

    /**
     * Set a LOCAL command (v2) / UNKNOWN (v1): the receiver uses the socket's own addresses.
     *
     * @return this.
     */
    public ProxyHeader setLocal()
    {
        command = Command.LOCAL;
        family = Family.UNSPEC;
        sourcePort = 0;
        destinationPort = 0;
        return this;
    }

    /**
     * Copy the TLV region of the header just parsed out of the receive buffer, so it can be sent on after the
     * buffer is reused. Allocates only when the region is larger than any saved before.
     *
     * @param received the buffer {@link ProxyHeaderParser#parse} read.
     */
    public void saveTlvs(final ByteBuffer received)
    {
        if (tlvBytes > savedTlvs.length)
        {
            savedTlvs = new byte[tlvBytes];
        }
        received.get(tlvOffset, savedTlvs, 0, tlvBytes);
        savedTlvBytes = tlvBytes;
    }

    /**
     * Keep these TLV bytes (a sequence of type, length, value) to send; for tests and for TLVs built by hand.
     *
     * @param tlvs   the encoded TLVs.
     * @param offset where they start.
     * @param length how many bytes.
     */
    public void setSavedTlvs(final byte[] tlvs, final int offset, final int length)
    {
        if (length > savedTlvs.length)
        {
            savedTlvs = new byte[length];
        }
        System.arraycopy(tlvs, offset, savedTlvs, 0, length);
        savedTlvBytes = length;
    }

    /** @return 1 or 2 after a successful parse, 0 otherwise. */
    public int version()
    {
        return version;
    }

    /** @return LOCAL or PROXY. */
    public Command command()
    {
        return command;
    }

    /** @return the family; addresses and ports are valid only for TCP4 and TCP6. */
    public Family family()
    {
        return family;
    }

    /** @return 4 for TCP4, 16 for TCP6, 0 otherwise. */
    public int addressBytes()
    {
        return family == Family.TCP4 ? 4 : family == Family.TCP6 ? 16 : 0;
    }

    /** @return the client address, the first {@link #addressBytes()} bytes valid; owned by this object. */
    public byte[] sourceAddress()
    {
        return sourceAddress;
    }

    /** @return the address the client connected to, the first {@link #addressBytes()} bytes valid. */
    public byte[] destinationAddress()
    {
        return destinationAddress;
    }

    /** @return the client port. */
    public int sourcePort()
    {
        return sourcePort;
    }

    /** @return the port the client connected to. */
    public int destinationPort()
    {
        return destinationPort;
    }

    /**
     * @return the whole header's length in bytes after DONE: the client's own bytes start this far after the
     *     buffer position the parse started at.
     */
    public int headerBytes()
    {
        return headerBytes;
    }

    /** @return absolute index of the v2 TLV region in the parsed buffer (valid with {@link #tlvBytes()}). */
    public int tlvOffset()
    {
        return tlvOffset;
    }

    /** @return length of the v2 TLV region in the parsed buffer; 0 for v1, LOCAL or no TLVs. */
    public int tlvBytes()
    {
        return tlvBytes;
    }

    /** @return the TLVs kept by {@link #saveTlvs} or {@link #setSavedTlvs}; the first {@link #savedTlvBytes()}. */
    public byte[] savedTlvs()
    {
        return savedTlvs;
    }

    /** @return how many saved TLV bytes the encoder will copy into a v2 header. */
    public int savedTlvBytes()
    {
        return savedTlvBytes;
    }

    /** @return why the last parse returned ERROR, otherwise {@link ProxyHeaderError#NONE}. */
    public ProxyHeaderError error()
    {
        return error;
    }

    /**
     * @return the client address as an object (allocates; for logs and tests), or null when the family has none.
     */
    public InetAddress sourceInetAddress()
    {
        return toInetAddress(sourceAddress);
    }

    /**
     * @return the destination address as an object (allocates; for logs and tests), or null when there is none.
     */
    public InetAddress destinationInetAddress()
    {
        return toInetAddress(destinationAddress);
    }

    @Override
    public String toString()
    {
        return "ProxyHeader{v" + version + " " + command + " " + family + " " + sourceInetAddress() + ":" +
            sourcePort + " -> " + destinationInetAddress() + ":" + destinationPort + ", " + headerBytes +
            " bytes, tlv " + tlvBytes + ", error " + error + "}";
    }

    void setParsed(final int version, final Command command, final Family family, final int headerBytes)
    {
        this.version = version;
        this.command = command;
        this.family = family;
        this.headerBytes = headerBytes;
        this.error = ProxyHeaderError.NONE;
        // TLVs saved from an earlier connection must never be sent on for this one
        this.savedTlvBytes = 0;
    }

    void setPorts(final int sourcePort, final int destinationPort)
    {
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
    }

    void setTlvRegion(final int offset, final int length)
    {
        tlvOffset = offset;
        tlvBytes = length;
    }

    void setError(final ProxyHeaderError error)
    {
        this.error = error;
    }

    private InetAddress toInetAddress(final byte[] address)
    {
        final int length = addressBytes();
        if (length == 0)
        {
            return null;
        }
        try
        {
            return InetAddress.getByAddress(Arrays.copyOf(address, length));
        }
        catch (final java.net.UnknownHostException e)
        {
            throw new IllegalStateException(e);
        }
    }

    private static void toIpv6(final byte[] address, final byte[] out)
    {
        if (address.length == 16)
        {
            System.arraycopy(address, 0, out, 0, 16);
            return;
        }
        Arrays.fill(out, 0, 10, (byte)0);
        out[10] = (byte)0xFF;
        out[11] = (byte)0xFF;
        System.arraycopy(address, 0, out, 12, 4);
    }

    private static void checkAddress(final byte[] address)
    {
        if (address.length != 4 && address.length != 16)
        {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, got " + address.length);
        }
    }

    private static void checkPort(final int port)
    {
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("a port is 0..65535, got " + port);
        }
    }
}
