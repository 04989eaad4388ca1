package io.tcpproxy.reload;

import io.tcpproxy.Proxy;
import io.tcpproxy.config.Config;
import io.tcpproxy.testsupport.ClientSockets;
import io.tcpproxy.testsupport.Closer;
import io.tcpproxy.testsupport.ConsoleBuffer;
import io.tcpproxy.testsupport.TestUpstream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A proxy started from a TOML file the test rewrites before each reload, its console kept in memory, the client
 * sockets opened to it and, when asked for, an echo upstream. Registered with {@code @RegisterExtension}: after each
 * test it closes the clients, the proxy and the upstreams, and deletes the file.
 */
final class ProxyFromFile implements AfterEachCallback
{
    final ConsoleBuffer console = new ConsoleBuffer();
    final ClientSockets clients = new ClientSockets();
    private final Closer upstreams = new Closer();
    private final Path dir;
    private final Path file;
    private TestUpstream echo;
    private Proxy proxy;

    ProxyFromFile()
    {
        try
        {
            dir = Files.createTempDirectory("proxy-from-file");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        file = dir.resolve("proxy.toml");
    }

    Path file()
    {
        return file;
    }

    /**
     * @return an echo server on loopback, the same one for the whole test.
     * @throws IOException when it cannot listen.
     */
    TestUpstream echo() throws IOException
    {
        if (echo == null)
        {
            echo = newEcho();
        }
        return echo;
    }

    /**
     * @return another echo server on loopback, closed after the test like the rest.
     * @throws IOException when it cannot listen.
     */
    TestUpstream newEcho() throws IOException
    {
        return upstreams.add(TestUpstream.echo());
    }

    void write(final String toml) throws IOException
    {
        Files.writeString(file, toml);
    }

    /**
     * @param toml the file's first content.
     * @return the proxy started from it.
     * @throws IOException when the file cannot be written or read.
     */
    Proxy start(final String toml) throws IOException
    {
        write(toml);
        return start(Config.fromFile(file));
    }

    /**
     * @param config settings built in code (a reload without a file then has nothing to read).
     * @return the proxy started with them.
     * @throws IOException if it cannot bind.
     */
    Proxy start(final Config config) throws IOException
    {
        proxy = Proxy.start(config, console.stream());
        return proxy;
    }

    /**
     * @return a new client connected to the proxy's listen address.
     * @throws IOException when it cannot connect.
     */
    Socket connect() throws IOException
    {
        return clients.connect(proxy.localAddress());
    }

    @Override
    public void afterEach(final ExtensionContext context) throws IOException
    {
        clients.close();
        if (proxy != null)
        {
            proxy.close();
        }
        upstreams.close();
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
