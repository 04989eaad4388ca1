package io.tcpproxy.protocol;

/**
 * Why a PROXY protocol header was refused; {@link #reason()} is a short text for a log line.
 */
public enum ProxyHeaderError
{
    /** Not set: the last parse did not end in an error. */
    NONE("none"),
    /** The first bytes are neither {@code "PROXY "} nor the 12-byte v2 signature. */
    BAD_SIGNATURE("neither a v1 nor a v2 PROXY header signature"),
    /** A v1 line without CRLF within 107 bytes. */
    V1_TOO_LONG("v1 header without CRLF within 107 bytes"),
    /** A v1 line with a bare CR or LF, or a character outside the grammar. */
    V1_BAD_LINE("v1 header line is malformed"),
    /** A v1 protocol other than TCP4, TCP6 or UNKNOWN. */
    V1_BAD_PROTOCOL("v1 header protocol is not TCP4, TCP6 or UNKNOWN"),
    /** A v1 address that is not a strict literal of the declared family. */
    V1_BAD_ADDRESS("v1 header address is malformed"),
    /** A v1 port that is not a decimal 0..65535 without leading zeros. */
    V1_BAD_PORT("v1 header port is malformed"),
    /** A v2 version nibble other than 2. */
    V2_BAD_VERSION("v2 header version is not 2"),
    /** A v2 command other than LOCAL (0) or PROXY (1). */
    V2_BAD_COMMAND("v2 header command is not LOCAL or PROXY"),
    /** A v2 family or transport value the specification does not define. */
    V2_BAD_FAMILY("v2 header family or transport is undefined"),
    /** A v2 length shorter than the address block of its family. */
    V2_ADDRESS_TRUNCATED("v2 header length is shorter than its address block"),
    /** A v2 TLV whose length runs past the header's declared length. */
    V2_TLV_OVERRUN("v2 header TLV runs past the declared length"),
    /** A v2 header whose declared length does not fit in the receive buffer. */
    V2_TOO_LARGE("v2 header is larger than the receive buffer");

    private final String reason;

    ProxyHeaderError(final String reason)
    {
        this.reason = reason;
    }

    /**
     * @return a short text for a log line.
     */
    public String reason()
    {
        return reason;
    }
}
