package io.tcpproxy.protocol;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * ClientHellos for tests: a real one from the JDK's TLS client, and hand-made ones with chosen extensions.
 */
public final class ClientHellos
{
    private ClientHellos()
    {
    }

    /**
     * The first flight of a JDK TLS client (records as sent), with SNI and ALPN set; no network involved.
     *
     * @param serverName the SNI host name.
     * @param alpn       protocols offered, none for no ALPN extension.
     * @return the ClientHello records.
     * @throws Exception if the JDK's TLS is unavailable.
     */
    public static byte[] fromJdk(final String serverName, final String... alpn) throws Exception
    {
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        final SSLEngine engine = context.createSSLEngine(serverName, 443);
        engine.setUseClientMode(true);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setApplicationProtocols(alpn);
        engine.setSSLParameters(parameters);
        final ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        final byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    /** A ClientHello handshake message (type, 24-bit length, body). A null name or alpn leaves the extension out. */
    static byte[] handshake(final String serverName, final List<String> alpn, final int paddingBytes)
    {
        final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        // supported_versions, as a TLS 1.3 client sends it
        extension(extensions, 43, new byte[] {4, 3, 4, 3, 3});
        if (serverName != null)
        {
            final byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
            final ByteArrayOutputStream sni = new ByteArrayOutputStream();
            u16(sni, 3 + name.length);
            sni.write(0);
            u16(sni, name.length);
            sni.writeBytes(name);
            extension(extensions, 0, sni.toByteArray());
        }
        if (alpn != null)
        {
            final ByteArrayOutputStream list = new ByteArrayOutputStream();
            for (final String protocol : alpn)
            {
                list.write(protocol.length());
                list.writeBytes(protocol.getBytes(StandardCharsets.US_ASCII));
            }
            final ByteArrayOutputStream value = new ByteArrayOutputStream();
            u16(value, list.size());
            value.writeBytes(list.toByteArray());
            extension(extensions, 16, value.toByteArray());
        }
        if (paddingBytes > 0)
        {
            extension(extensions, 21, new byte[paddingBytes]);
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(3);
        final byte[] random = new byte[32];
        Arrays.fill(random, (byte)0x5A);
        body.writeBytes(random);
        body.write(32);
        body.writeBytes(new byte[32]);
        u16(body, 4);
        body.writeBytes(new byte[] {0x13, 0x01, 0x13, 0x02});
        body.write(1);
        body.write(0);
        u16(body, extensions.size());
        body.writeBytes(extensions.toByteArray());
        return message(body.toByteArray());
    }

    static byte[] message(final byte[] body)
    {
        final ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(1);
        message.write(body.length >>> 16);
        message.write(body.length >>> 8);
        message.write(body.length);
        message.writeBytes(body);
        return message.toByteArray();
    }

    /** Frame a handshake message into TLS records, cutting the payload at the given offsets (and at 16 KiB). */
    static byte[] records(final byte[] handshake, final int... cuts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        int cutIndex = 0;
        while (from < handshake.length)
        {
            int to = Math.min(handshake.length, from + 16384);
            while (cutIndex < cuts.length && cuts[cutIndex] <= from)
            {
                cutIndex++;
            }
            if (cutIndex < cuts.length && cuts[cutIndex] < to)
            {
                to = cuts[cutIndex];
            }
            out.write(22);
            out.write(3);
            out.write(1);
            u16(out, to - from);
            out.write(handshake, from, to - from);
            from = to;
        }
        return out.toByteArray();
    }

    private static void extension(final ByteArrayOutputStream out, final int type, final byte[] value)
    {
        u16(out, type);
        u16(out, value.length);
        out.writeBytes(value);
    }

    private static void u16(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 8);
        out.write(value);
    }
}
